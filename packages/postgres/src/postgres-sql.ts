import { createHash } from 'node:crypto';
import { migrations, type StatementName, statements } from './generated/sql';

/**
 * The statements sent as named prepared statements: the payout hot paths. Named, a statement is
 * parsed and analyzed once per connection, and planned once when Postgres finds its generic plan
 * no costlier than a fresh one (for pay-batch.sql, whose LIMIT and instant a generic plan cannot
 * see, it often plans afresh). Either plan is safe: every scan of pay-batch.sql is bounded by
 * values it reads itself (the candidates' claim floors), and create-payout-job.sql has one plan.
 * They name their result columns, so a migration that adds a column cannot change the result of a
 * statement already prepared (Postgres refuses that).
 */
const PREPARED: ReadonlySet<StatementName> = new Set<StatementName>(['payBatch', 'createPayoutJob']);

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
  private readonly names: ReadonlyMap<StatementName, string>;

  /**
   * `schema` and `prefix` must already be validated; `prepared` names the statements of
   * {@link PREPARED} (see {@link PostgresSql.preparedName}).
   */
  constructor(
    readonly schema: string,
    readonly prefix: string,
    prepared = false,
  ) {
    this.channel = `${schema}$${prefix}events`;
    this.migrationLock = `settle:migrate:${schema}.${prefix}`;
    this.migrationsTable = `${prefix}migrations`;
    this.rendered = new Map(
      (Object.entries(statements) as [StatementName, string][]).map(([name, sql]) => [name, this.render(sql)]),
    );
    // Named after their text: two installations (or two versions of Settle) on one pool never
    // share a name for different SQL, which pg refuses.
    this.names = new Map(
      prepared
        ? [...PREPARED].map((name) => [name, `settle_${createHash('sha1').update(this.statement(name)).digest('hex')}`])
        : [],
    );
    this.migrations = migrations.map((m) => ({ version: m.version, name: m.name, sql: this.render(m.sql) }));
    this.latestVersion = migrations.at(-1)?.version ?? 0;
  }

  /** The statement's SQL. */
  statement(name: StatementName): string {
    return this.rendered.get(name)!;
  }

  /** The name to prepare the statement under, or undefined to send it unnamed. */
  preparedName(name: StatementName): string | undefined {
    return this.names.get(name);
  }

  private render(sql: string): string {
    // Quoted, so a schema that happens to be a keyword (`user`, `order`) still works.
    return sql.replaceAll('{{schema}}', `"${this.schema}"`).replaceAll('{{prefix}}', this.prefix);
  }
}
