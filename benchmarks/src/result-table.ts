/** A table as headers, rows of text cells, and which columns hold numbers. */
export interface ResultTable {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly align: readonly ('left' | 'right')[];
}

/**
 * A Markdown table with every column padded to its widest cell, the layout `biome format` gives
 * Markdown, so the generated files pass `biome check` as written.
 */
export function markdownTable(table: ResultTable): string {
  const rows = [table.headers, ...table.rows].map((row) => row.map((cell) => cell.replaceAll('|', '\\|')));
  const widths = table.headers.map((_, i) => Math.max(3, ...rows.map((row) => [...(row[i] ?? '')].length)));
  const pad = (cell: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - [...cell].length);
    return table.align[i] === 'right' ? fill + cell : cell + fill;
  };
  const separator = widths.map((w, i) => (table.align[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const [headers, ...body] = rows;
  return [
    line(headers!.map(pad)),
    line(separator),
    ...body.map((row) => line(table.headers.map((_, i) => pad(row[i] ?? '', i)))),
  ].join('\n');
}

/** A table for a terminal: columns padded to their widest cell, numbers (`align: 'right'`) flush right. */
function textTable(table: ResultTable): string {
  const { headers, rows, align } = table;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `title`, then the table as text: one section of a suite's stdout report. */
export function textSection(title: string, table: ResultTable): string {
  return `${title}\n${textTable(table)}\n`;
}

/** 12345.6 → `12,346`. */
export function perSecond(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** 12345 → `12,345`. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** A signed figure with one decimal and a real minus sign: `+3.5`, `−53.3`. */
export function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}`;
}
