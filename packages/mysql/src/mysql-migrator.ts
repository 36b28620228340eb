import type { MigrationResult, MigrationStatus } from '@settle/core';
import { MigrationError } from '@settle/core';
import type { StatementName } from './generated/sql';
import type { MySqlDriver, MySqlQueryable, MySqlSession } from './mysql-driver';
import { toSettleError } from './mysql-errors';
import { sqlTime } from './mysql-rows';
import type { MySqlSql } from './mysql-sql';

/** How long `migrate()` waits for another process's migration before giving up. */
const LOCK_TIMEOUT_SECONDS = 60;

/**
 * ER_DUP_FIELDNAME and ER_CANT_DROP_FIELD_OR_KEY: the column a statement adds is there, or the key
 * it drops is gone. MySQL 8 has no `ADD COLUMN IF NOT EXISTS` nor `DROP … IF EXISTS` in ALTER
 * TABLE, so a migration statement that makes one such change is rerun after an interruption and
 * meets its own result.
 */
const ALREADY_APPLIED_ERRNOS = new Set([1060, 1091]);

/**
 * Versioned migrations under a named lock: `GET_LOCK` keyed on database and prefix makes
 * concurrent `migrate()` calls (several processes starting at once) take turns, and each reads the
 * applied version only once it holds the lock, so every version is applied exactly once. MySQL
 * commits each DDL statement on its own, so a transaction cannot hold the lock or undo a failed
 * migration: the lock belongs to the session, and every migration statement is idempotent
 * (`IF NOT EXISTS`, or one change whose "already there" error is taken as done), so a migration
 * cut short is completed by the next call.
 *
 * @internal
 */
export class MySqlMigrator {
  constructor(
    private readonly driver: MySqlDriver,
    private readonly sql: MySqlSql,
  ) {}

  async status(): Promise<MigrationStatus> {
    return { version: await this.appliedVersion(this.driver), latest: this.sql.latestVersion };
  }

  async migrate(): Promise<MigrationResult> {
    let session: MySqlSession;
    try {
      session = await this.driver.session();
    } catch (error) {
      throw toSettleError(error, { statement: 'connect' });
    }
    let broken = false;
    try {
      const [lock] = await this.rows<{ locked: number | null }>(session, 'lockMigrations', [
        this.sql.prefix,
        LOCK_TIMEOUT_SECONDS,
      ]);
      if (Number(lock?.locked) !== 1) {
        throw new MigrationError(`Another process held the migration lock for ${LOCK_TIMEOUT_SECONDS} s`);
      }
      try {
        return await this.applyPending(session);
      } finally {
        await this.rows(session, 'releaseMigrations', [this.sql.prefix]).catch(() => {
          // A session that cannot release its lock must not go back to the pool still holding it.
          broken = true;
        });
      }
    } finally {
      session.release(broken);
    }
  }

  private async applyPending(session: MySqlSession): Promise<MigrationResult> {
    await this.rows(session, 'createMigrationsTable', []);
    const version = await this.appliedVersion(session);
    if (version > this.sql.latestVersion) {
      throw new MigrationError(
        `The database schema is at version ${version}, newer than this code knows (${this.sql.latestVersion}): upgrade @settle/mysql`,
        { context: { version, latest: this.sql.latestVersion } },
      );
    }
    const applied: number[] = [];
    for (const migration of this.sql.migrations) {
      if (migration.version <= version) continue;
      try {
        for (const statement of migration.statements) await applyStatement(session, statement);
      } catch (error) {
        throw new MigrationError(`Migration ${migration.version} (${migration.name}) failed: ${messageOf(error)}`, {
          cause: error,
          context: { version: migration.version },
        });
      }
      await this.rows(session, 'recordMigration', [migration.version, migration.name, sqlTime(new Date())]);
      applied.push(migration.version);
    }
    return { applied, version: Math.max(version, this.sql.latestVersion) };
  }

  /** The highest applied version, 0 before the first migration (no migrations table yet). */
  private async appliedVersion(queryable: MySqlQueryable): Promise<number> {
    const [table] = await this.rows<{ present: number | string }>(queryable, 'migrationsTableExists', [
      this.sql.migrationsTable,
    ]);
    if (Number(table?.present ?? 0) === 0) return 0;
    const [row] = await this.rows<{ version: number | string }>(queryable, 'migrationVersion', []);
    return Number(row?.version ?? 0);
  }

  private async rows<R>(queryable: MySqlQueryable, name: StatementName, params: readonly unknown[]): Promise<R[]> {
    try {
      return (await queryable.query<R>(this.sql.statement(name), params)).rows;
    } catch (error) {
      throw toSettleError(error, { statement: name });
    }
  }
}

/** Runs one migration statement; a change that is already there counts as applied. */
async function applyStatement(session: MySqlSession, statement: string): Promise<void> {
  try {
    await session.query(statement);
  } catch (error) {
    const errno = (error as { errno?: unknown } | null)?.errno;
    if (typeof errno === 'number' && ALREADY_APPLIED_ERRNOS.has(errno)) return;
    throw error;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
