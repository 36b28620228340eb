import { migrations, type StatementName, statements } from './generated/sql';

/** A migration with its placeholder filled in, split into the statements MySQL runs one by one. @internal */
export interface RenderedMigration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/**
 * The store's SQL for one validated table prefix: every statement and migration with `{{prefix}}`
 * replaced, rendered once. The prefix is the only text ever spliced into SQL; every value travels
 * as a parameter.
 *
 * @internal
 */
export class MySqlSql {
  /** Unqualified name of the migrations table. */
  readonly migrationsTable: string;
  /** Migrations in version order. */
  readonly migrations: readonly RenderedMigration[];
  /** The highest version this code knows. */
  readonly latestVersion: number;
  private readonly rendered: ReadonlyMap<StatementName, string>;

  /** `prefix` must already be validated. */
  constructor(readonly prefix: string) {
    this.migrationsTable = `${prefix}migrations`;
    this.rendered = new Map(
      (Object.entries(statements) as [StatementName, string][]).map(([name, sql]) => [name, this.render(sql)]),
    );
    this.migrations = migrations.map((m) => ({
      version: m.version,
      name: m.name,
      statements: splitScript(this.render(m.sql)),
    }));
    this.latestVersion = migrations.at(-1)?.version ?? 0;
  }

  /** The statement's SQL. */
  statement(name: StatementName): string {
    return this.rendered.get(name)!;
  }

  private render(sql: string): string {
    return sql.replaceAll('{{prefix}}', this.prefix);
  }
}

/**
 * A migration script as single statements: mysql2 runs one statement per query unless the host
 * enabled `multipleStatements`, which Settle does not ask for. Statements end with `;` at the end
 * of a line; whole-line comments are dropped first so a comment can never end one.
 */
function splitScript(script: string): string[] {
  return script
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}
