import { migrations, type StatementName, statements } from './generated/sql';

/** A migration with its placeholders filled in. @internal */
export interface RenderedMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The store's SQL for one validated schema and table prefix: every statement and migration with
 * `{{schema}}` and `{{prefix}}` replaced, rendered once. These two names are the only text ever
 * spliced into SQL; every value travels as a parameter.
 *
 * @internal
 */
export class PostgresSql {
  /**
   * The NOTIFY channel, unique per installation: `schema$prefixevents` (`$` cannot occur in either
   * name, and needs no quoting, which PGlite's `unlisten` would drop).
   */
  readonly channel: string;
  /** Name of the advisory lock that serializes `migrate()` of this installation across processes. */
  readonly migrationLock: string;
  /** Unqualified name of the migrations table. */
  readonly migrationsTable: string;
  /** Migrations in version order. */
  readonly migrations: readonly RenderedMigration[];
  /** The highest version this code knows. */
  readonly latestVersion: number;
  private readonly rendered: ReadonlyMap<StatementName, string>;

  /** `schema` and `prefix` must already be validated. */
  constructor(
    readonly schema: string,
    readonly prefix: string,
  ) {
    this.channel = `${schema}$${prefix}events`;
    this.migrationLock = `settle:migrate:${schema}.${prefix}`;
    this.migrationsTable = `${prefix}migrations`;
    this.rendered = new Map(
      (Object.entries(statements) as [StatementName, string][]).map(([name, sql]) => [name, this.render(sql)]),
    );
    this.migrations = migrations.map((m) => ({ version: m.version, name: m.name, sql: this.render(m.sql) }));
    this.latestVersion = migrations.at(-1)?.version ?? 0;
  }

  /** The statement's SQL. */
  statement(name: StatementName): string {
    return this.rendered.get(name)!;
  }

  private render(sql: string): string {
    // Quoted, so a schema that happens to be a keyword (`user`, `order`) still works.
    return sql.replaceAll('{{schema}}', `"${this.schema}"`).replaceAll('{{prefix}}', this.prefix);
  }
}
