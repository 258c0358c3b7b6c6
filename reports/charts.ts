// Inline SVG charts for report.html, drawn here so the page needs no script and no network.
// Latencies span four orders of magnitude (memory ~1 µs, redis ~50 µs, cleanup ms), so the
// value axes are logarithmic.
import { escapeAttribute, escapeText } from './xml.js';

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Room left of every plot for the value axis labels. */
const PLOT_LEFT = 60;
const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

/** Log10 scale onto [pixelLow, pixelHigh], padded to whole decades. */
class LogScale {
  readonly lo: number;
  readonly hi: number;

  constructor(
    values: number[],
    private readonly pixelLow: number,
    private readonly pixelHigh: number,
  ) {
    const positive = values.filter((v) => v > 0);
    this.lo = positive.length === 0 ? 0 : Math.floor(Math.log10(Math.min(...positive)));
    this.hi = Math.max(this.lo + 1, positive.length === 0 ? 1 : Math.ceil(Math.log10(Math.max(...positive))));
  }

  at(value: number): number {
    const t = (Math.log10(Math.max(value, 10 ** this.lo)) - this.lo) / (this.hi - this.lo);
    return this.pixelLow + t * (this.pixelHigh - this.pixelLow);
  }

  decades(): number[] {
    return Array.from({ length: this.hi - this.lo + 1 }, (_, i) => 10 ** (this.lo + i));
  }
}

function tickLabel(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return `${value}`;
}

function legend(x: number, y: number, series: { name: string; color: string }[], note: string): string {
  const items = series.map((s, i) => {
    const lx = x + i * 120;
    return `<rect x="${lx}" y="${y - 9}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${y}" ${FONT}>${escapeText(s.name)}</text>`;
  });
  return `${items.join('')}<text x="${x + series.length * 120}" y="${y}" ${FONT} fill="#555">${escapeText(note)}</text>`;
}

/** Horizontal grid lines with their labels, one per decade. */
function yGrid(scale: LogScale, x1: number, x2: number): string[] {
  return scale.decades().map((v) => {
    const y = scale.at(v).toFixed(1);
    return `<line x1="${x1}" x2="${x2}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${x1 - 6}" y="${y}" ${FONT} text-anchor="end" dominant-baseline="middle">${tickLabel(v)}</text>`;
  });
}

interface Frame {
  id: string;
  title: string;
  width: number;
  height: number;
  yLabel: string;
  /** Vertical middle of the plot, where the rotated y label goes. */
  midY: number;
}

function svg(frame: Frame, body: string[]): string {
  return [
    `<svg class="chart" data-chart="${escapeAttribute(frame.id)}" xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" role="img">`,
    `<text x="${PLOT_LEFT}" y="20" ${FONT} font-size="14" font-weight="600">${escapeText(frame.title)}</text>`,
    `<text x="14" y="${frame.midY}" ${FONT} transform="rotate(-90 14 ${frame.midY})" text-anchor="middle">${escapeText(frame.yLabel)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

export interface BarValue {
  p50: number;
  p99: number;
}

export interface GroupedBars {
  id: string;
  title: string;
  groups: string[];
  series: string[];
  value(group: string, series: string): BarValue | undefined;
}

/** Groups (operations) of bars (backends): p50 solid, p99 as a lighter bar behind it. */
export function groupedBarChart(chart: GroupedBars): string {
  const barWidth = 14;
  const groupWidth = Math.max(60, chart.series.length * (barWidth + 4) + 20);
  const left = PLOT_LEFT;
  const top = 40;
  const plotHeight = 240;
  const width = left + chart.groups.length * groupWidth + 20;
  const height = top + plotHeight + 110;
  const values = chart.groups.flatMap((g) => chart.series.flatMap((s) => Object.values(chart.value(g, s) ?? {})));
  const scale = new LogScale(values, top + plotHeight, top);
  const colors = chart.series.map((name, i) => ({ name, color: PALETTE[i % PALETTE.length]! }));

  const bars = chart.groups.flatMap((group, gi) => {
    const gx = left + gi * groupWidth + 10;
    // Op names are longer than a group is wide: slanted labels don't run into each other.
    const lx = gx + (groupWidth - 20) / 2;
    const ly = top + plotHeight + 14;
    const label = `<text x="${lx}" y="${ly}" ${FONT} text-anchor="end" transform="rotate(-30 ${lx} ${ly})">${escapeText(group)}</text>`;
    const rects = colors.flatMap(({ name, color }, si) => {
      const v = chart.value(group, name);
      if (v === undefined) return [];
      const x = gx + si * (barWidth + 4);
      const tip = `<title>${escapeText(`${name} ${group}: p50 ${v.p50.toFixed(2)} µs, p99 ${v.p99.toFixed(2)} µs`)}</title>`;
      const bar = (value: number, opacity: number, kind: string): string => {
        const y = scale.at(value);
        return `<rect class="bar ${kind}" x="${x}" y="${y.toFixed(1)}" width="${barWidth}" height="${(top + plotHeight - y).toFixed(1)}" fill="${color}" fill-opacity="${opacity}">${tip}</rect>`;
      };
      return [bar(v.p99, 0.35, 'p99'), bar(v.p50, 1, 'p50')];
    });
    return [label, ...rects];
  });
  const frame = { id: chart.id, title: chart.title, width, height, yLabel: 'µs (log)', midY: top + plotHeight / 2 };
  return svg(frame, [
    ...yGrid(scale, left, width - 10),
    ...bars,
    legend(left, height - 16, colors, 'solid: p50, light: p99'),
  ]);
}

export interface LineSeries {
  name: string;
  points: [number, number][];
}

export interface LineChart {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
}

/** Lines over a log x axis (dataset size) and a log y axis (latency). */
export function lineChart(chart: LineChart): string {
  const left = PLOT_LEFT;
  const top = 40;
  const plotWidth = 480;
  const plotHeight = 220;
  const width = left + plotWidth + 30;
  const height = top + plotHeight + 70;
  const points = chart.series.flatMap((s) => s.points);
  const xs = new LogScale(
    points.map((p) => p[0]),
    left,
    left + plotWidth,
  );
  const ys = new LogScale(
    points.map((p) => p[1]),
    top + plotHeight,
    top,
  );
  const colors = chart.series.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length]! }));
  const gridX = xs.decades().map((v) => {
    const x = xs.at(v).toFixed(1);
    return `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotHeight}" stroke="#eee"/><text x="${x}" y="${top + plotHeight + 16}" ${FONT} text-anchor="middle">${tickLabel(v)}</text>`;
  });
  const lines = chart.series.map((s, i) => {
    const color = colors[i]!.color;
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    const path = sorted.map(([x, y]) => `${xs.at(x).toFixed(1)},${ys.at(y).toFixed(1)}`).join(' ');
    const dots = sorted.map(
      ([x, y]) =>
        `<circle cx="${xs.at(x).toFixed(1)}" cy="${ys.at(y).toFixed(1)}" r="3" fill="${color}"><title>${escapeText(`${s.name}: ${tickLabel(x)} -> ${y.toFixed(2)}`)}</title></circle>`,
    );
    return `<polyline class="series" points="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots.join('')}`;
  });
  const xLabel = `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 34}" ${FONT} text-anchor="middle">${escapeText(chart.xLabel)}</text>`;
  const frame = { id: chart.id, title: chart.title, width, height, yLabel: chart.yLabel, midY: top + plotHeight / 2 };
  return svg(frame, [
    ...yGrid(ys, left, left + plotWidth),
    ...gridX,
    xLabel,
    ...lines,
    legend(left, height - 12, colors, ''),
  ]);
}

export interface PercentileSeries {
  name: string;
  /** [percentile, µs] pairs, ascending, ending with [100, max] (BenchmarkRow.percentiles). */
  points: Array<[number, number]>;
  /** How many samples the curve comes from: where on the x axis the max goes. */
  samples: number;
  color: string;
  /** Drawn dashed (the raw driver beside its backend). */
  dashed?: boolean;
}

export interface PercentileChart {
  id: string;
  title: string;
  series: PercentileSeries[];
}

/**
 * Where a percentile goes on HdrHistogram's x axis: 1 / (1 - p), so each further nine (90%,
 * 99%, 99.9%) takes a decade. The max (p = 100) goes at the plotting position of the largest of
 * n samples, 1 - 1/(2n): just right of the rarest percentile the samples resolve.
 */
function percentileX(p: number, samples: number): number {
  return p >= 100 ? 2 * Math.max(1, samples) : 1 / (1 - p / 100);
}

/** A decade of the x axis as the percentile it stands for: 1 -> 0%, 10 -> 90%, 1000 -> 99.9%. */
function percentileLabel(x: number): string {
  const nines = Math.round(Math.log10(x));
  return nines === 0 ? '0%' : `${(100 - 10 ** (2 - nines)).toFixed(Math.max(0, nines - 2))}%`;
}

/** Latency by percentile, both axes logarithmic, one curve per series, as HdrHistogram's plotter draws them. */
export function percentileChart(chart: PercentileChart): string {
  const left = PLOT_LEFT;
  const top = 40;
  // Two charts side by side on a 1400 px page.
  const plotWidth = 400;
  const plotHeight = 240;
  const legendWidth = 170;
  const width = left + plotWidth + 20 + legendWidth;
  const height = Math.max(top + plotHeight + 50, top + chart.series.length * 16 + 10);
  const xy = chart.series.map((s) => s.points.map(([p, us]): [number, number] => [percentileX(p, s.samples), us]));
  const xs = new LogScale(
    xy.flat().map(([x]) => x),
    left,
    left + plotWidth,
  );
  const ys = new LogScale(
    xy.flat().map(([, us]) => us),
    top + plotHeight,
    top,
  );
  // The decades are the nines; 50% is the one tick between 0% and 90%.
  const gridX = [...xs.decades(), ...(xs.lo === 0 ? [2] : [])].map((v) => {
    const x = xs.at(v).toFixed(1);
    const label = v === 2 ? '50%' : percentileLabel(v);
    return `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotHeight}" stroke="#eee"/><text class="x-tick" x="${x}" y="${top + plotHeight + 16}" ${FONT} text-anchor="middle">${label}</text>`;
  });
  const curves = chart.series.map((s, i) => {
    const d = xy[i]!.map(([x, us], k) => `${k === 0 ? 'M' : 'L'}${xs.at(x).toFixed(1)},${ys.at(us).toFixed(1)}`).join(
      ' ',
    );
    const tip = s.points.map(([p, us]) => `${p === 100 ? 'max' : `p${p}`} ${us.toFixed(2)} µs`).join(', ');
    const dash = s.dashed === true ? ' stroke-dasharray="5 3"' : '';
    return `<path class="percentile-curve" data-series="${escapeAttribute(s.name)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}><title>${escapeText(`${s.name} (${s.samples} samples): ${tip}`)}</title></path>`;
  });
  const lx = left + plotWidth + 20;
  const legendItems = chart.series.map((s, i) => {
    const y = top + 6 + i * 16;
    const dash = s.dashed === true ? ' stroke-dasharray="5 3"' : '';
    return `<line x1="${lx}" x2="${lx + 22}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${dash}/><text x="${lx + 28}" y="${y}" ${FONT}>${escapeText(s.name)}</text>`;
  });
  const xLabel = `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 36}" ${FONT} text-anchor="middle">percentile (log scale of 1/(1-p))</text>`;
  const frame = { id: chart.id, title: chart.title, width, height, yLabel: 'µs (log)', midY: top + plotHeight / 2 };
  return svg(frame, [...yGrid(ys, left, left + plotWidth), ...gridX, xLabel, ...curves, ...legendItems]);
}
