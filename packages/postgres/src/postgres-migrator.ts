import type { MigrationResult, MigrationStatus } from '@settle/core';
import { MigrationError } from '@settle/core';
import type { StatementName } from './generated/sql';
import type { PostgresConnection, PostgresDriver, PostgresQueryable } from './postgres-driver';
import { toSettleError } from './postgres-errors';
import type { PostgresSql } from './postgres-sql';

/**
 * Versioned migrations in one transaction: an advisory lock keyed on schema and prefix makes
 * concurrent `migrate()` calls (several processes starting at once) take turns, and each reads the
 * applied version only once it holds the lock, so every version is applied exactly once. Postgres
 * DDL is transactional: a failed migration leaves nothing behind.
 *
 * @internal
 */
export class PostgresMigrator {
  constructor(
    private readonly driver: PostgresDriver,
    private readonly sql: PostgresSql,
  ) {}

  async status(): Promise<MigrationStatus> {
    return { version: await this.appliedVersion(this.driver), latest: this.sql.latestVersion };
  }

  async migrate(): Promise<MigrationResult> {
    let connection: PostgresConnection;
    try {
      connection = await this.driver.begin();
    } catch (error) {
      throw toSettleError(error, { statement: 'BEGIN' });
    }
    let result: MigrationResult;
    try {
      result = await this.applyPending(connection);
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    }
    try {
      await connection.commit();
    } catch (error) {
      throw toSettleError(error, { statement: 'COMMIT', committing: true });
    }
    return result;
  }

  private async applyPending(connection: PostgresConnection): Promise<MigrationResult> {
    await this.run(connection, 'lockMigrations', [this.sql.migrationLock]);
    const [schema] = await this.rows<{ exists: boolean }>(connection, 'schemaExists', [this.sql.schema]);
    if (schema?.exists !== true) await this.run(connection, 'createSchema', []);
    await this.run(connection, 'createMigrationsTable', []);
    const version = await this.appliedVersion(connection);
    if (version > this.sql.latestVersion) {
      throw new MigrationError(
        `The database schema is at version ${version}, newer than this code knows (${this.sql.latestVersion}): upgrade @settle/postgres`,
        { context: { version, latest: this.sql.latestVersion } },
      );
    }
    const applied: number[] = [];
    for (const migration of this.sql.migrations) {
      if (migration.version <= version) continue;
      try {
        await connection.execute(migration.sql);
      } catch (error) {
        throw new MigrationError(`Migration ${migration.version} (${migration.name}) failed: ${messageOf(error)}`, {
          cause: error,
          context: { version: migration.version },
        });
      }
      await this.run(connection, 'recordMigration', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return { applied, version: Math.max(version, this.sql.latestVersion) };
  }

  /** The highest applied version, 0 before the first migration (no migrations table yet). */
  private async appliedVersion(queryable: PostgresQueryable): Promise<number> {
    const [table] = await this.rows<{ exists: boolean }>(queryable, 'migrationsTableExists', [
      this.sql.schema,
      this.sql.migrationsTable,
    ]);
    if (table?.exists !== true) return 0;
    const [row] = await this.rows<{ version: number }>(queryable, 'migrationVersion', []);
    return row?.version ?? 0;
  }

  private async run(queryable: PostgresQueryable, name: StatementName, params: readonly unknown[]): Promise<void> {
    await this.rows(queryable, name, params);
  }

  private async rows<R>(queryable: PostgresQueryable, name: StatementName, params: readonly unknown[]): Promise<R[]> {
    try {
      return (await queryable.query<R>(this.sql.statement(name), params)).rows;
    } catch (error) {
      throw toSettleError(error, { statement: name });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
