/**
 * Small SVG charts, written by hand so the report needs no script and no network: line charts
 * (linear or log-scaled y) and grey-level images drawn as grids of squares.
 */
import { SkipgradError } from '@skipgrad/tensor';

export interface Series {
  name: string;
  color: string;
  x: readonly number[];
  /** null or (on a log scale) a value ≤ 0 breaks the line there. */
  y: readonly (number | null)[];
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  logY?: boolean;
  width?: number;
  height?: number;
}

export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const f = (v: number): string => (Math.round(v * 10) / 10).toString();

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const label = (v: number, log: boolean): string =>
  log ? `1e${Math.round(Math.log10(v))}` : Math.abs(v) >= 1000 ? v.toExponential(0) : String(v);

export function lineChart(o: ChartOptions): string {
  if (o.series.length === 0) throw new SkipgradError('lineChart', 'series', 'at least one series', 'none');
  o.series.forEach((s, i) => {
    if (s.x.length !== s.y.length)
      throw new SkipgradError(
        'lineChart',
        `series[${i}]`,
        'as many y values as x values',
        `${s.x.length} x and ${s.y.length} y`,
      );
  });
  const width = o.width ?? 460;
  const height = o.height ?? 300;
  // The legend sits between the title and the plot, never over a line: three entries a row,
  // fewer when the names are long (~6 px a character).
  const entryWidth = Math.max(130, 28 + 6.2 * Math.max(...o.series.map((s) => s.name.length)));
  const perRow = Math.max(1, Math.floor((width - 68) / entryWidth));
  const legendRows = Math.ceil(o.series.length / perRow);
  const m = { left: 58, right: 12, top: 30 + legendRows * 14, bottom: 42 };
  const log = o.logY ?? false;
  const usable = (v: number | null): v is number => v !== null && Number.isFinite(v) && (!log || v > 0);
  const xs = o.series.flatMap((s) => s.x);
  const ys = o.series.flatMap((s) => s.y.filter(usable)).map((v) => (log ? Math.log10(v) : v));
  // No points at all (every run diverged at its first step): empty axes, not NaN coordinates.
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (log) [y0, y1] = [Math.floor(y0), Math.ceil(y1)];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  if (!log && y0 > 0 && y0 < y1 - y0) y0 = 0;
  const px = (x: number): number => m.left + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (y: number): number => m.top + (1 - (y - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(o.title)}">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" class="title">${escapeXml(o.title)}</text>`,
  ];
  const yTicks = log
    ? Array.from({ length: y1 - y0 + 1 }, (_, i) => y0 + i).filter(
        (_, i, all) => all.length <= 8 || i % Math.ceil(all.length / 8) === 0,
      )
    : niceTicks(y0, y1);
  for (const t of yTicks) {
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${f(py(t))}" y2="${f(py(t))}" class="grid"/>`,
      `<text x="${m.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${label(log ? 10 ** t : t, log)}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(`<text x="${f(px(t))}" y="${height - m.bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  parts.push(
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" class="axis"/>`,
    `<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" class="axis"/>`,
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`,
    `<text transform="translate(14 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}${log ? ' (log)' : ''}</text>`,
  );
  o.series.forEach((s) => {
    let d = '';
    let pen = false;
    s.x.forEach((x, i) => {
      const y = s.y[i] ?? null;
      if (!usable(y)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${f(px(x))} ${f(py(log ? Math.log10(y) : y))}`;
      pen = true;
    });
    if (d)
      parts.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${escapeXml(s.name)}</title></path>`,
      );
  });
  o.series.forEach((s, i) => {
    const [lx, ly] = [m.left + 10 + (i % perRow) * entryWidth, 30 + Math.floor(i / perRow) * 14];
    parts.push(
      `<line x1="${lx}" x2="${lx + 16}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${lx + 20}" y="${ly + 4}" class="legend">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A side × side image of values in [0, 1] (0 black, 1 white), one square per pixel. */
export function greyImage(values: readonly number[], side: number, title: string, cell = 6): string {
  const size = side * cell;
  const squares = values.map((v, i) => {
    const level = Math.round(Math.max(0, Math.min(1, v)) * 255);
    return `<rect x="${(i % side) * cell}" y="${Math.floor(i / side) * cell}" width="${cell}" height="${cell}" fill="rgb(${level},${level},${level})"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="mask" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>${squares.join('')}</svg>`;
}

export const PALETTE: Record<string, string> = {
  plain: '#d62728',
  residual: '#1f77b4',
  highway: '#2ca02c',
  dense: '#9467bd',
};
export const SHADES = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
