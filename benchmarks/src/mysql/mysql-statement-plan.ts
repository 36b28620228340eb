import type { MySqlQueryOptionsLike } from '@settle/mysql';
import type mysql from 'mysql2/promise';

/** How the server ran one statement, from `ANALYZE FORMAT=JSON` (MariaDB). */
export interface StatementPlan {
  readonly label: string;
  /** Each table the statement read, as `alias via index (access type)`. */
  readonly access: readonly string[];
  /** Rows the server read from every table, over every loop. */
  readonly rowsRead: number;
  /** Rows the statement returned. */
  readonly rowsReturned: number;
  readonly ms: number;
}

/** A table node of MariaDB's `ANALYZE FORMAT=JSON` output: the fields read here. */
interface AnalyzedTable {
  readonly table_name?: string;
  readonly access_type?: string;
  readonly key?: string;
  readonly r_loops?: number;
  readonly r_rows?: number;
  /** The keys of a range planned anew for each row of the tables before ("range checked for each record"). */
  readonly range_checked?: readonly string[];
}

/**
 * Runs `statement` under MariaDB's `ANALYZE FORMAT=JSON` (which executes it and reports what each
 * table access really read) in a transaction that is rolled back, so a locking claim changes
 * nothing. Returns null on a server without that statement (MySQL 8 has `EXPLAIN ANALYZE` instead).
 */
export async function analyzeStatement(
  connection: mysql.Connection,
  label: string,
  statement: MySqlQueryOptionsLike,
): Promise<StatementPlan | null> {
  await connection.query('START TRANSACTION');
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(`ANALYZE FORMAT=JSON ${statement.sql}`, [
      ...(statement.values ?? []),
    ]);
    const json = JSON.parse(String(Object.values(rows[0] ?? {})[0])) as { query_block?: { r_total_time_ms?: number } };
    const tables: AnalyzedTable[] = [];
    collectTables(json, tables);
    return {
      label,
      access: tables.map((t) =>
        t.range_checked === undefined
          ? `${t.table_name} via ${t.key ?? 'no index'} (${t.access_type})`
          : `${t.table_name} via ${t.range_checked.join(' or ')} (range checked for each row)`,
      ),
      rowsRead: Math.round(tables.reduce((sum, t) => sum + (t.r_rows ?? 0) * (t.r_loops ?? 1), 0)),
      rowsReturned: await returnedRows(connection, statement),
      ms: json.query_block?.r_total_time_ms ?? 0,
    };
  } catch {
    return null;
  } finally {
    await connection.query('ROLLBACK');
  }
}

/** Rows the statement returns, counted by running it again in the same transaction. */
async function returnedRows(connection: mysql.Connection, statement: MySqlQueryOptionsLike): Promise<number> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(statement.sql, [...(statement.values ?? [])]);
  return rows.length;
}

/**
 * Every object with a `table_name`, depth first, in plan order; one inside a
 * `range-checked-for-each-record` node carries that node's keys.
 */
function collectTables(node: unknown, into: AnalyzedTable[], rangeChecked?: readonly string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectTables(item, into, rangeChecked);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.table_name === 'string') {
    into.push(rangeChecked === undefined ? (record as AnalyzedTable) : { ...record, range_checked: rangeChecked });
  }
  for (const [key, value] of Object.entries(record)) {
    const keys = (value as { keys?: unknown } | null)?.keys;
    collectTables(
      value,
      into,
      key === 'range-checked-for-each-record' && Array.isArray(keys) ? keys.map(String) : rangeChecked,
    );
  }
}
