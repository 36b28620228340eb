import type { PendingNotifications } from './postgres-driver';

/**
 * SQL that queues `notifications` in order, one `pg_notify` per payload, each written as a
 * literal: the simple query protocol runs several statements in one round trip but takes no
 * parameters, and this is what lets a transaction's events travel with its COMMIT.
 *
 * @internal
 */
export function notifyStatements({ channel, payloads }: PendingNotifications): string {
  const target = literal(channel);
  return payloads.map((payload) => `SELECT pg_notify(${target}, ${literal(payload)});\n`).join('');
}

/**
 * `text` as a Postgres string literal. In an `E''` literal a backslash starts an escape whatever
 * `standard_conforming_strings` says, so with every backslash and quote doubled nothing in `text`
 * can end the literal. NUL is refused: the protocol ends the query text there.
 */
function literal(text: string): string {
  if (text.includes('\0')) throw new Error('A NOTIFY payload cannot contain a NUL character');
  return `E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
