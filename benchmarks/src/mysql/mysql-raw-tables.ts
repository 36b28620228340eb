import type mysql from 'mysql2/promise';
import type { MySqlBenchDatabase } from './mysql-bench-database';
import { quoteIdentifier } from './mysql-bench-database';

/** Names of one set of hand-written payout tables on MySQL, quoted. */
export interface MySqlRawTables {
  readonly jobs: string;
  readonly entries: string;
  readonly ledger: string;
  readonly accounts: string;
  /** The same names unquoted, for ANALYZE TABLE. */
  readonly names: readonly string[];
}

const TABLES = ['payout_jobs', 'payout_entries', 'ledger', 'accounts'] as const;

/**
 * Creates the hand-written side's tables as copies (`CREATE TABLE … LIKE`) of the payout tables a
 * migrated MySqlStore made with `settlePrefix`: the same columns, generated column, indexes and
 * checks, whatever migration they come from (Settle's entries have no foreign key since its
 * migration 3, and LIKE copies none). With `secondaryIndexes: false` the entries' copy keeps only
 * its primary key: not a schema Settle could claim batches from, but the floor of what inserting
 * the same rows costs on this server.
 */
export async function createMySqlRawTables(
  db: MySqlBenchDatabase,
  prefix: string,
  settlePrefix: string,
  { secondaryIndexes = true }: { secondaryIndexes?: boolean } = {},
): Promise<MySqlRawTables> {
  for (const table of TABLES) {
    await db.pool.query(
      `CREATE TABLE ${quoteIdentifier(`${prefix}${table}`)} LIKE ${quoteIdentifier(`${settlePrefix}${table}`)}`,
    );
  }
  const names = TABLES.map((table) => `${prefix}${table}`);
  if (!secondaryIndexes) {
    const [indexes] = await db.pool.query<mysql.RowDataPacket[]>(
      `SELECT DISTINCT index_name AS name FROM information_schema.statistics
       WHERE table_schema = ? AND table_name = ? AND index_name <> 'PRIMARY'`,
      [db.database, names[1]],
    );
    for (const { name } of indexes) {
      await db.pool.query(`ALTER TABLE ${quoteIdentifier(names[1]!)} DROP INDEX ${quoteIdentifier(String(name))}`);
    }
  }
  return {
    jobs: quoteIdentifier(names[0]!),
    entries: quoteIdentifier(names[1]!),
    ledger: quoteIdentifier(names[2]!),
    accounts: quoteIdentifier(names[3]!),
    names,
  };
}
