import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Store } from '@settle/core';
import { MySqlStore } from '@settle/mysql';
import { PostgresStore } from '@settle/postgres';
import mysql from 'mysql2/promise';
import pg from 'pg';

/** The store the demo runs on, and how to release it. */
export interface DemoStore {
  readonly store: Store;
  readonly label: string;
  close(): Promise<void>;
}

/**
 * A MySQL/MariaDB server when MYSQL_URL is set, else a Postgres server when DATABASE_URL is set,
 * else embedded PGlite persisted on disk.
 */
export async function openDemoStore(): Promise<DemoStore> {
  const mysqlUrl = process.env.MYSQL_URL;
  if (mysqlUrl) {
    const pool = mysql.createPool({ uri: mysqlUrl, connectionLimit: 4 });
    const store = new MySqlStore({ pool });
    return {
      store,
      label: `MySQL (${new URL(mysqlUrl).host})`,
      close: async () => {
        await store.close();
        await pool.end();
      },
    };
  }
  const url = process.env.DATABASE_URL;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const store = new PostgresStore({ pool });
    return {
      store,
      label: `PostgreSQL (${new URL(url).host})`,
      close: async () => {
        await store.close();
        await pool.end();
      },
    };
  }
  const dir = '.settle-data/demo';
  mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const store = new PostgresStore({ pglite });
  return {
    store,
    label: `embedded PGlite (${dir})`,
    close: async () => {
      await store.close();
      await pglite.close();
    },
  };
}
