import type { MySqlPoolLike, MySqlQueryOptionsLike } from '@settle/mysql';
import type mysql from 'mysql2/promise';
import type { StatementProfile } from '../statement-profile';

/** Rows a SELECT returned, or rows a write changed (mysql2's result header). */
function rowCount(result: unknown): number | null {
  if (Array.isArray(result)) return result.length;
  const affected = (result as { affectedRows?: unknown } | undefined)?.affectedRows;
  return typeof affected === 'number' ? affected : null;
}

/**
 * `pool` as the {@link MySqlPoolLike} MySqlStore accepts, with every statement (on the pool and on
 * checked-out connections) timed into `profile` under the label its classifier gives it, and handed
 * to `onStatement` with that label once it ran.
 */
export function profiledMySqlPool(
  pool: mysql.Pool,
  profile: StatementProfile,
  onStatement: (label: string, options: MySqlQueryOptionsLike) => void = () => undefined,
): MySqlPoolLike {
  const timed = async <R extends [unknown, unknown]>(
    options: MySqlQueryOptionsLike,
    run: () => Promise<R>,
  ): Promise<R> => {
    const started = performance.now();
    let rows: number | null = null;
    try {
      const result = await run();
      rows = rowCount(result[0]);
      return result;
    } finally {
      const label = profile.label(options.sql, rows);
      profile.record(label, performance.now() - started);
      onStatement(label, options);
    }
  };
  return {
    query: (options: MySqlQueryOptionsLike) => timed(options, () => pool.query(options as mysql.QueryOptions)),
    getConnection: async () => {
      const connection = await pool.getConnection();
      return {
        query: (options: MySqlQueryOptionsLike) =>
          timed(options, () => connection.query(options as mysql.QueryOptions)),
        release: () => connection.release(),
        destroy: () => connection.destroy(),
      };
    },
  };
}
