/** `2026-11-23 02:22:09.945`: an instant as MySQL's DATETIME(3) text, in UTC, as MySqlStore stores it. */
export function sqlTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
