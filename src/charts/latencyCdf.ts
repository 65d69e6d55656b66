/**
 * Latency distribution of several streams as cumulative curves (CDF): for each latency on the x
 * axis, the share of the stream's messages that had arrived within it. A stream whose messages
 * were lost never reaches 100 %. The x axis is logarithmic (a clean 50 ms and a 12 s straggler
 * both stay readable); each curve has its colour, dash and marker (at its median), so colour
 * never carries the meaning alone.
 */
import { axisBottom, axisLeft, scaleLinear, scaleLog, select } from 'd3';
import { type ChartContext, chartWidth, CHAR_PX, el, legibleAxis, marker, maybeNumber, NARROW_WIDTH, seriesStyle, svgRoot, text, wrapWords } from './common.ts';
import type { ChartTable } from './table.ts';

export interface CdfSeries {
  id: string;
  label: string;
  /** Latencies of the delivered messages, ms (any order). */
  latenciesMs: number[];
  /** Messages sent: the 100 % of the curve. */
  sent: number;
}

export interface CdfOptions {
  width?: number;
  height?: number;
  title?: string;
}

const MARGIN = { top: 14, right: 18, bottom: 46, left: 52 };
const fmt = (v: number, digits = 1) => v.toLocaleString('en-US', { maximumFractionDigits: digits });

/** The nearest-rank percentile of sorted values (as simulator/metrics/percentile.ts). */
function rank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/** Ticks for a log axis in ms: 1-2-5 steps that fall inside the domain. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(Math.max(lo, 1e-3))); decade <= hi; decade *= 10)
    for (const m of [1, 2, 5]) if (decade * m >= lo && decade * m <= hi) out.push(decade * m);
  return out;
}

export function latencyCdfChart(series: CdfSeries[], options: CdfOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  const legendX = narrow ? 8 : MARGIN.left;
  const legendChars = Math.max(12, Math.floor((width - legendX - 40) / CHAR_PX));
  const legendLines = series.map((s) => wrapWords(legendText(s), legendChars));
  const legendHeight = legendLines.reduce((n, lines) => n + 18 + (lines.length - 1) * 15, 0) + 8;
  const plotHeight = maybeNumber(options.height, narrow ? 240 : 300);
  const plotBottom = MARGIN.top + plotHeight;
  const height = plotBottom + MARGIN.bottom + legendHeight;
  const title = options.title ?? 'Latency distribution';
  const svg = svgRoot(document, width, height, title, latencyCdfSummary(series));

  const all = series.flatMap((s) => s.latenciesMs).filter((v) => v > 0);
  const lo = all.length ? Math.min(...all) * 0.8 : 10;
  const hi = all.length ? Math.max(...all) * 1.25 : 1000;
  const x = scaleLog().domain([lo, Math.max(hi, lo * 2)]).range([MARGIN.left, width - MARGIN.right]).clamp(true);
  const y = scaleLinear().domain([0, 1]).range([plotBottom, MARGIN.top]);

  const axes = el(document, 'g', { class: 'axes', fill: 'currentColor' }, svg);
  const grid = el(document, 'g', { class: 'grid', stroke: 'currentColor', 'stroke-opacity': 0.15 }, axes);
  for (const t of [0.25, 0.5, 0.75, 1]) el(document, 'line', { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(t), y2: y(t) }, grid);
  const ticks = logTicks(x.domain()[0]!, x.domain()[1]!);
  const xAxis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, axes);
  select(xAxis).call(axisBottom(x).tickValues(narrow ? ticks.filter((t) => /^[15]/.test(String(t))) : ticks).tickFormat((v) => fmt(Number(v), 0)));
  legibleAxis(xAxis);
  const yAxis = el(document, 'g', { transform: `translate(${MARGIN.left},0)` }, axes);
  select(yAxis).call(axisLeft(y).tickValues([0, 0.25, 0.5, 0.75, 1]).tickFormat((v) => `${Math.round(Number(v) * 100)}%`));
  legibleAxis(yAxis);
  text(document, 'latency, send to delivery (ms, log scale)', { x: (MARGIN.left + width - MARGIN.right) / 2, y: plotBottom + 36, 'text-anchor': 'middle', fill: 'currentColor' }, axes);
  text(document, 'messages arrived', { transform: `translate(13,${(MARGIN.top + plotBottom) / 2}) rotate(-90)`, 'text-anchor': 'middle', fill: 'currentColor' }, axes);

  const curves = el(document, 'g', { class: 'series', fill: 'none', 'stroke-width': 2 }, svg);
  series.forEach((s, i) => {
    const style = seriesStyle(i);
    const sorted = [...s.latenciesMs].sort((a, b) => a - b);
    if (sorted.length === 0 || s.sent === 0) return;
    // A step up at each message's latency, flat to the right edge after the last one.
    let d = `M${x(sorted[0]!)},${y(0)}`;
    sorted.forEach((v, k) => {
      d += `H${x(v).toFixed(1)}V${y((k + 1) / s.sent).toFixed(1)}`;
    });
    d += `H${width - MARGIN.right}`;
    el(document, 'path', { d, stroke: style.color, 'stroke-dasharray': style.dash || undefined, 'data-series': s.id }, curves);
    const median = rank(sorted, 50);
    if (median !== null) marker(document, style.marker, x(median), y(Math.ceil(0.5 * sorted.length) / s.sent), style.color, curves);
  });

  const legend = el(document, 'g', { class: 'legend', fill: 'currentColor' }, svg);
  let ly = plotBottom + MARGIN.bottom + 6;
  series.forEach((s, i) => {
    const style = seriesStyle(i);
    el(document, 'line', { x1: legendX, x2: legendX + 28, y1: ly, y2: ly, stroke: style.color, 'stroke-width': 2, 'stroke-dasharray': style.dash || undefined }, legend);
    marker(document, style.marker, legendX + 14, ly, style.color, legend);
    const label = text(document, '', { x: legendX + 36, y: ly + 4 }, legend);
    legendLines[i]!.forEach((line, k) => {
      el(document, 'tspan', { x: legendX + 36, dy: k === 0 ? 0 : 15 }, label).textContent = line;
    });
    ly += 18 + (legendLines[i]!.length - 1) * 15;
  });
  return svg;
}

function legendText(s: CdfSeries): string {
  const sorted = [...s.latenciesMs].sort((a, b) => a - b);
  const median = rank(sorted, 50);
  const lost = s.sent - sorted.length;
  return `${s.label}: median ${median === null ? '—' : `${fmt(median)} ms`}${lost > 0 ? `, ${lost} of ${s.sent} never arrived` : ''}`;
}

/** One sentence per stream: arrived, median, 95th percentile, slowest. */
export function latencyCdfSummary(series: CdfSeries[]): string {
  return series
    .map((s) => {
      const sorted = [...s.latenciesMs].sort((a, b) => a - b);
      if (sorted.length === 0) return `${s.label}: none of ${s.sent} messages arrived.`;
      return `${s.label}: ${sorted.length} of ${s.sent} arrived; median ${fmt(rank(sorted, 50)!)} ms, 95th percentile ${fmt(rank(sorted, 95)!)} ms, slowest ${fmt(sorted[sorted.length - 1]!)} ms.`;
    })
    .join(' ');
}

/** The table twin: per stream, the counts and the percentiles the curves are read at. */
export function latencyCdfTable(series: CdfSeries[], caption = 'Latency distribution per stream'): ChartTable {
  const round = (v: number | null) => (v === null ? '—' : Math.round(v * 10) / 10);
  return {
    caption,
    columns: ['stream', 'sent', 'arrived', 'median (ms)', '95th percentile (ms)', '99th percentile (ms)', 'slowest (ms)'],
    rows: series.map((s) => {
      const sorted = [...s.latenciesMs].sort((a, b) => a - b);
      return [s.label, s.sent, sorted.length, round(rank(sorted, 50)), round(rank(sorted, 95)), round(rank(sorted, 99)), round(sorted.length ? sorted[sorted.length - 1]! : null)];
    }),
  };
}
