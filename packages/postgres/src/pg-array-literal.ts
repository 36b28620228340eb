/**
 * `values` with every array of strings turned into the array literal `pg` would send for it (each
 * element double-quoted, backslashes and double quotes escaped), written with one `join` instead
 * of `pg`'s two regular expressions per element. The entries of a 10,000-entry job are two such
 * arrays; this took about 2 ms off each enqueue. Any other value is left for `pg` to serialize.
 *
 * @internal
 */
export function withArrayLiterals(values: readonly unknown[]): unknown[] {
  return values.map((value) => (Array.isArray(value) ? (stringArrayLiteral(value) ?? value) : value));
}

/** The literal of an array of strings; null when an element is not a string (null, a Date, a nested array). */
function stringArrayLiteral(array: readonly unknown[]): string | null {
  if (array.length === 0) return '{}';
  let plain = true;
  for (const element of array) {
    if (typeof element !== 'string') return null;
    if (plain && (element.includes('"') || element.includes('\\'))) plain = false;
  }
  const elements = plain ? (array as string[]) : (array as string[]).map(escapeElement);
  return `{"${elements.join('","')}"}`;
}

function escapeElement(element: string): string {
  return element.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}
