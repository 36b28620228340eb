/**
 * One table of the memory store: committed rows plus a private overlay of uncommitted writes per
 * transaction, so readers see committed data plus their own writes (read committed) and a commit
 * publishes the overlay at once. Rows are treated as immutable: writers put new objects.
 *
 * @internal
 */
export class MemoryTable<R> {
  private readonly committed = new Map<string, R>();
  /** Committed keys by group (a foreign key such as the job id): an index for per-parent scans. */
  private readonly groups = new Map<string, Set<string>>();
  /** Per transaction: key → new row, or `undefined` for a deleted row. */
  private readonly overlays = new Map<object, Map<string, R | undefined>>();

  /**
   * @param name Prefix of this table's lock keys.
   * @param groupOf The group a row belongs to, indexed for {@link rows}; it must never change for a given key.
   */
  constructor(
    readonly name: string,
    private readonly groupOf?: (row: R) => string,
  ) {}

  /** The lock key of the row under `key`. */
  lockKey(key: string): string {
    return `${this.name}:${key}`;
  }

  /** The row visible to `tx` (committed data only when `tx` is undefined). */
  get(tx: object | undefined, key: string): R | undefined {
    const overlay = tx === undefined ? undefined : this.overlays.get(tx);
    if (overlay?.has(key)) return overlay.get(key);
    return this.committed.get(key);
  }

  /** Every row visible to `tx`, or only those of `group`; in no particular order. */
  rows(tx: object | undefined, group?: string): R[] {
    const overlay = tx === undefined ? undefined : this.overlays.get(tx);
    const keys = group === undefined ? this.committed.keys() : (this.groups.get(group) ?? []);
    const rows: R[] = [];
    for (const key of keys) if (!overlay?.has(key)) rows.push(this.committed.get(key)!);
    for (const row of overlay?.values() ?? []) {
      if (row !== undefined && (group === undefined || this.groupOf?.(row) === group)) rows.push(row);
    }
    return rows;
  }

  /** Writes `row` under `key` in `tx`'s overlay. */
  put(tx: object, key: string, row: R): void {
    this.overlay(tx).set(key, row);
  }

  /** Deletes `key` in `tx`'s overlay. */
  delete(tx: object, key: string): void {
    this.overlay(tx).set(key, undefined);
  }

  /** Applies `tx`'s overlay to the committed rows. */
  commit(tx: object): void {
    for (const [key, row] of this.overlays.get(tx) ?? []) {
      const previous = this.committed.get(key);
      if (previous !== undefined) this.unindex(previous, key);
      if (row === undefined) {
        this.committed.delete(key);
      } else {
        this.committed.set(key, row);
        this.index(row, key);
      }
    }
    this.overlays.delete(tx);
  }

  /** Drops `tx`'s overlay (rollback). */
  discard(tx: object): void {
    this.overlays.delete(tx);
  }

  private index(row: R, key: string): void {
    if (this.groupOf === undefined) return;
    const group = this.groupOf(row);
    const keys = this.groups.get(group) ?? new Set<string>();
    this.groups.set(group, keys.add(key));
  }

  private unindex(row: R, key: string): void {
    if (this.groupOf === undefined) return;
    const group = this.groupOf(row);
    const keys = this.groups.get(group);
    keys?.delete(key);
    if (keys?.size === 0) this.groups.delete(group);
  }

  private overlay(tx: object): Map<string, R | undefined> {
    const overlay = this.overlays.get(tx) ?? new Map<string, R | undefined>();
    this.overlays.set(tx, overlay);
    return overlay;
  }
}
