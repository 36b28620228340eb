/** One bar of a {@link barChart}. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** CSS colour of the bar. */
  readonly color: string;
}

/** A dashed vertical line across a {@link barChart}, e.g. a target. */
export interface ReferenceLine {
  readonly value: number;
  readonly label: string;
}

/** One line of a {@link lineChart}. */
export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [x: number, y: number])[];
}

const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';
const WIDTH = 760;

/**
 * A horizontal bar chart as a standalone SVG document: one labelled bar per value, its value at the
 * end of the bar, an x axis with round ticks and optional dashed reference lines.
 */
export function barChart(options: {
  title: string;
  subtitle: string;
  unit: string;
  bars: readonly Bar[];
  references?: readonly ReferenceLine[];
}): string {
  const { title, subtitle, unit, bars, references = [] } = options;
  const left = 190;
  const right = 110;
  const top = 90;
  const barHeight = 34;
  const gap = 16;
  const plotHeight = bars.length * (barHeight + gap) - gap;
  const height = top + plotHeight + 60;
  const max = Math.max(...bars.map((b) => b.value), ...references.map((r) => r.value));
  const ticks = niceTicks(0, max);
  const scaleMax = ticks.at(-1)!;
  const x = (value: number) => left + (value / scaleMax) * (WIDTH - left - right);

  const parts: string[] = [header(WIDTH, height, title, subtitle)];
  for (const tick of ticks) {
    parts.push(
      `<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${top + plotHeight + 6}" stroke="#e5e7eb"/>`,
      `<text x="${x(tick)}" y="${top + plotHeight + 24}" text-anchor="middle" font-size="12" fill="#4b5563">${formatNumber(tick)}</text>`,
    );
  }
  parts.push(
    `<text x="${(left + WIDTH - right) / 2}" y="${top + plotHeight + 46}" text-anchor="middle" font-size="12" fill="#4b5563">${escapeXml(unit)}</text>`,
  );
  bars.forEach((bar, i) => {
    const y = top + i * (barHeight + gap);
    parts.push(
      `<text x="${left - 10}" y="${y + barHeight / 2 + 5}" text-anchor="end" font-size="14" fill="#111827">${escapeXml(bar.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${Math.max(1, x(bar.value) - left).toFixed(1)}" height="${barHeight}" rx="3" fill="${bar.color}"/>`,
      `<text x="${(x(bar.value) + 8).toFixed(1)}" y="${y + barHeight / 2 + 5}" font-size="13" font-weight="600" fill="#111827">${formatNumber(bar.value)}</text>`,
    );
  });
  for (const reference of references) {
    const rx = x(reference.value).toFixed(1);
    parts.push(
      `<line x1="${rx}" y1="${top - 10}" x2="${rx}" y2="${top + plotHeight + 6}" stroke="#dc2626" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${rx}" y="${top - 14}" text-anchor="middle" font-size="12" fill="#dc2626">${escapeXml(reference.label)}</text>`,
    );
  }
  parts.push('</g>', '</svg>\n');
  return parts.join('\n');
}

/** A line chart as a standalone SVG document: axes with round ticks, one polyline per series, a legend. */
export function lineChart(options: {
  title: string;
  subtitle: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
}): string {
  const { title, subtitle, xLabel, yLabel, series } = options;
  const height = 400;
  const left = 70;
  const right = 30;
  const top = 100;
  const bottom = 60;
  const xs = series.flatMap((s) => s.points.map(([px]) => px));
  const ys = series.flatMap((s) => s.points.map(([, py]) => py));
  const xTicks = niceTicks(0, Math.max(...xs));
  const yTicks = niceTicks(0, Math.max(...ys) * 1.1);
  const xMax = xTicks.at(-1)!;
  const yMax = yTicks.at(-1)!;
  const x = (value: number) => left + (value / xMax) * (WIDTH - left - right);
  const y = (value: number) => height - bottom - (value / yMax) * (height - top - bottom);

  const parts: string[] = [header(WIDTH, height, title, subtitle)];
  for (const tick of yTicks) {
    parts.push(
      `<line x1="${left}" y1="${y(tick).toFixed(1)}" x2="${WIDTH - right}" y2="${y(tick).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${left - 8}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" font-size="12" fill="#4b5563">${formatNumber(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    parts.push(
      `<line x1="${x(tick).toFixed(1)}" y1="${height - bottom}" x2="${x(tick).toFixed(1)}" y2="${height - bottom + 5}" stroke="#9ca3af"/>`,
      `<text x="${x(tick).toFixed(1)}" y="${height - bottom + 20}" text-anchor="middle" font-size="12" fill="#4b5563">${formatNumber(tick)}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${height - bottom}" x2="${WIDTH - right}" y2="${height - bottom}" stroke="#9ca3af"/>`,
    `<text x="${(left + WIDTH - right) / 2}" y="${height - 16}" text-anchor="middle" font-size="12" fill="#4b5563">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(16 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="#4b5563">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((line, i) => {
    const points = line.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${line.color}" stroke-width="2" stroke-linejoin="round"/>`,
      `<rect x="${left + 10 + i * 200}" y="${top - 26}" width="14" height="4" fill="${line.color}"/>`,
      `<text x="${left + 30 + i * 200}" y="${top - 20}" font-size="12" fill="#111827">${escapeXml(line.label)}</text>`,
    );
  });
  parts.push('</g>', '</svg>\n');
  return parts.join('\n');
}

function header(width: number, height: number, title: string, subtitle: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<g font-family="${FONT}">`,
    `<text x="20" y="28" font-size="17" font-weight="600" fill="#111827">${escapeXml(title)}</text>`,
    `<text x="20" y="48" font-size="12" fill="#4b5563">${escapeXml(subtitle)}</text>`,
  ].join('\n');
}

/** Ticks from `min` to at least `max` in steps of 1, 2 or 5 × 10ⁿ, about five of them. */
function niceTicks(min: number, max: number): number[] {
  if (!(max > min)) return [min, min + 1];
  const rough = (max - min) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let tick = Math.floor(min / step) * step; tick < max + step; tick += step) {
    ticks.push(Number(tick.toPrecision(12)));
    if (tick >= max) break;
  }
  return ticks;
}

/** 1234567 → "1,234,567"; 12.5 → "12.5". */
function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 1 : 0 });
}

/** Text safe inside an SVG element or attribute. */
function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
