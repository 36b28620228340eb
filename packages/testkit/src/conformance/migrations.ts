import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** `[from, …, to]`, empty when `from > to`. */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/**
 * `migrate()`, `migrationStatus()`, `ping()` and `close()`, on a store the suite has not migrated.
 *
 * @internal
 */
export function registerMigrationTests(ctx: ConformanceContext): void {
  describe('migrations', () => {
    const bench = ctx.useStore({ migrate: false });

    it('migrate() applies every missing version in ascending order and migrationStatus() agrees', async () => {
      const before = await bench.store.migrationStatus();
      expect(before.latest).toBeGreaterThanOrEqual(1);
      expect(before.version).toBeGreaterThanOrEqual(0);
      expect(before.version).toBeLessThanOrEqual(before.latest);

      const result = await bench.store.migrate();
      expect(result.applied).toEqual(range(before.version + 1, before.latest));
      expect(result.version).toBe(before.latest);
      expect(await bench.store.migrationStatus()).toEqual({ version: before.latest, latest: before.latest });
    });

    it('migrate() is idempotent: a second call applies nothing', async () => {
      const first = await bench.store.migrate();
      const second = await bench.store.migrate();
      expect(second).toEqual({ applied: [], version: first.version });
      const status = await bench.store.migrationStatus();
      expect(status.version).toBe(status.latest);
    });

    it('migrate() applies each version exactly once across concurrent callers', async () => {
      const before = await bench.store.migrationStatus();
      const results = await Promise.all([bench.store.migrate(), bench.store.migrate(), bench.store.migrate()]);
      for (const result of results) {
        expect(result.version).toBe(before.latest);
        expect(result.applied).toEqual([...result.applied].sort((a, b) => a - b));
      }
      const applied = results.flatMap((result) => result.applied).sort((a, b) => a - b);
      expect(applied).toEqual(range(before.version + 1, before.latest));
    });

    it('ping() resolves', async () => {
      await expect(bench.store.ping()).resolves.toBeUndefined();
    });

    it('close() resolves', async () => {
      await bench.store.migrate();
      await expect(bench.store.close()).resolves.toBeUndefined();
    });
  });
}
