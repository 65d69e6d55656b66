/**
 * Chapter 3's chart: bytes on the wire for one message as a function of its payload size, one
 * line per framing (a WebSocket frame, an MQTT PUBLISH...). The numbers come from the protocol
 * engines through the worker; this file only draws them. Drawn at its container's width, with
 * text no smaller than MIN_FONT_PX.
 */
import { axisBottom, axisLeft, line, scaleLinear, scaleSymlog, select } from 'd3';
import { type ChartContext, CHAR_PX, chartWidth, el, legibleAxis, marker, maybeNumber, MIN_FONT_PX, NARROW_WIDTH, seriesStyle, svgRoot, text, formatBytes, wrapWords } from './common.ts';
import type { ChartTable } from './table.ts';

export interface WireBytesPoint {
  payloadBytes: number;
  wireBytes: number;
}

export interface WireBytesSeries {
  id: string;
  label: string;
  points: WireBytesPoint[];
}

export interface WireBytesOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Payload size to mark with a vertical rule and labelled dots (the reader's current input). */
  highlight?: number;
  /** What the y axis counts, e.g. "bytes on the wire (protocol + TCP/IP)". */
  yLabel?: string;
  /** 'total': bytes on the wire; 'overhead': bytes on the wire minus the payload. Default 'total'. */
  measure?: 'total' | 'overhead';
  /**
   * 'linear', or 'symlog' (a log scale that includes 0) so the small sizes where headers change
   * (125/126 bytes, one TCP segment) stay visible next to large ones. Default 'linear'.
   */
  xScale?: 'linear' | 'symlog';
}

/** Tick marks at the sizes where something changes: 7-bit length ends, MSS, 16-bit length ends. */
const SYMLOG_TICKS = [0, 10, 50, 125, 500, 1448, 5000, 65535];

const MARGIN = { top: 16, right: 16, bottom: 44, left: 60 };

export function wireBytesChart(series: WireBytesSeries[], options: WireBytesOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 640);
  const height = maybeNumber(options.height, 360);
  // Legend entries wrap rather than run off a narrow drawing (on a phone they start at the edge).
  const legendX = width < NARROW_WIDTH ? 8 : MARGIN.left;
  const legendChars = Math.max(12, Math.floor((width - legendX - 40) / CHAR_PX));
  const legendLines = series.map((s) => wrapWords(s.label, legendChars));
  const legendHeight = legendLines.reduce((n, lines) => n + 18 + (lines.length - 1) * 15, 0) + 12;
  const plotBottom = height - MARGIN.bottom - legendHeight;
  const overhead = options.measure === 'overhead';
  const yOf = (p: WireBytesPoint) => (overhead ? p.wireBytes - p.payloadBytes : p.wireBytes);
  const title = options.title ?? 'Bytes on the wire per message';
  const svg = svgRoot(document, width, height, title, wireBytesSummary(series, options.highlight));

  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p.payloadBytes));
  const yMax = Math.max(1, ...all.map(yOf));
  const symlog = options.xScale === 'symlog';
  const x = symlog
    ? scaleSymlog().constant(10).domain([0, xMax]).range([MARGIN.left, width - MARGIN.right])
    : scaleLinear().domain([0, xMax]).range([MARGIN.left, width - MARGIN.right]).nice();
  const y = scaleLinear().domain([0, yMax]).range([plotBottom, MARGIN.top]).nice();

  const axes = el(document, 'g', { class: 'axes', fill: 'currentColor' }, svg);
  const xAxis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, axes);
  const xTicks = symlog
    ? axisBottom(x).tickValues(spacedTicks(SYMLOG_TICKS, xMax, x)).tickFormat((v) => Number(v).toLocaleString('en-US'))
    : axisBottom(x).ticks(Math.max(2, Math.floor(width / 90)));
  select(xAxis).call(xTicks);
  legibleAxis(xAxis);
  const yAxis = el(document, 'g', { transform: `translate(${MARGIN.left},0)` }, axes);
  select(yAxis).call(axisLeft(y).ticks(6));
  legibleAxis(yAxis);
  // d3-axis draws in currentColor; the page's text colour then meets contrast in both themes.
  text(document, symlog ? 'payload bytes per message (log scale)' : 'payload bytes per message', { x: (MARGIN.left + width - MARGIN.right) / 2, y: plotBottom + 34, 'text-anchor': 'middle', fill: 'currentColor' }, axes);
  text(document, options.yLabel ?? (overhead ? 'bytes beyond the payload' : 'bytes on the wire'), {
    transform: `translate(14,${(MARGIN.top + plotBottom) / 2}) rotate(-90)`,
    'text-anchor': 'middle',
    fill: 'currentColor',
  }, axes);

  const path = line<WireBytesPoint>()
    .x((p) => x(p.payloadBytes))
    .y((p) => y(yOf(p)));
  const lines = el(document, 'g', { class: 'series', fill: 'none', 'stroke-width': 2 }, svg);
  series.forEach((s, i) => {
    const style = seriesStyle(i);
    const sorted = [...s.points].sort((a, b) => a.payloadBytes - b.payloadBytes);
    el(document, 'path', { d: path(sorted) ?? '', stroke: style.color, 'stroke-dasharray': style.dash || undefined, 'data-series': s.id }, lines);
  });

  if (options.highlight !== undefined) {
    const hx = x(options.highlight);
    const rule = el(document, 'g', { class: 'highlight' }, svg);
    el(document, 'line', { x1: hx, x2: hx, y1: MARGIN.top, y2: plotBottom, stroke: 'currentColor', 'stroke-opacity': 0.5, 'stroke-dasharray': '3 3' }, rule);
    series.forEach((s, i) => {
      const point = s.points.find((p) => p.payloadBytes === options.highlight);
      if (point) marker(document, seriesStyle(i).marker, hx, y(yOf(point)), seriesStyle(i).color, rule);
    });
  }

  // Legend: marker shape + dash sample + label, so the series are told apart without colour.
  const legend = el(document, 'g', { class: 'legend', fill: 'currentColor' }, svg);
  let ly = plotBottom + 50;
  series.forEach((s, i) => {
    const style = seriesStyle(i);
    const lx = legendX;
    el(document, 'line', { x1: lx, x2: lx + 28, y1: ly, y2: ly, stroke: style.color, 'stroke-width': 2, 'stroke-dasharray': style.dash || undefined }, legend);
    marker(document, style.marker, lx + 14, ly, style.color, legend);
    const label = text(document, '', { x: lx + 36, y: ly + 4 }, legend);
    legendLines[i]!.forEach((line, k) => {
      el(document, 'tspan', { x: lx + 36, dy: k === 0 ? 0 : 15 }, label).textContent = line;
    });
    ly += 18 + (legendLines[i]!.length - 1) * 15;
  });
  return svg;
}

/**
 * The symlog axis's ticks: the sizes where something changes that lie inside the domain, and its
 * end; a tick whose label would touch its right-hand neighbour's (11 px digits, 6 px apart) is
 * left out, the end's always kept.
 */
export function spacedTicks(candidates: readonly number[], xMax: number, x: (v: number) => number): number[] {
  const labelWidth = (v: number) => v.toLocaleString('en-US').length * (MIN_FONT_PX * 0.62);
  const kept = [xMax];
  for (const t of [...candidates].filter((c) => c < xMax).sort((a, b) => b - a)) {
    const next = kept[0]!;
    if (x(t) + labelWidth(t) / 2 + 6 <= x(next) - labelWidth(next) / 2) kept.unshift(t);
  }
  return kept;
}

/** The wire bytes of `series` at `payloadBytes`, or undefined when it has no such point. */
export function wireBytesAt(series: WireBytesSeries, payloadBytes: number): number | undefined {
  return series.points.find((p) => p.payloadBytes === payloadBytes)?.wireBytes;
}

/** One sentence that says what the chart shows at the highlighted payload size. */
export function wireBytesSummary(series: WireBytesSeries[], payloadBytes?: number): string {
  if (series.length === 0) return 'No data yet.';
  const at = payloadBytes ?? Math.max(...series.flatMap((s) => s.points.map((p) => p.payloadBytes)));
  const values = series
    .map((s) => ({ label: s.label, bytes: wireBytesAt(s, at) }))
    .filter((v): v is { label: string; bytes: number } => v.bytes !== undefined);
  if (values.length === 0) return `No series has a point at ${formatBytes(at)} of payload.`;
  const parts = values.map((v) => `${v.label} ${formatBytes(v.bytes)}`);
  const smallest = values.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  const largest = values.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const spread = largest.bytes - smallest.bytes;
  return `At ${formatBytes(at)} of payload: ${parts.join('; ')}. Smallest: ${smallest.label}; the largest costs ${formatBytes(spread)} more.`;
}

/** The chart's table twin: one row per payload size, one column per series. */
export function wireBytesTable(series: WireBytesSeries[], caption = 'Bytes on the wire per message'): ChartTable {
  const sizes = [...new Set(series.flatMap((s) => s.points.map((p) => p.payloadBytes)))].sort((a, b) => a - b);
  return {
    caption,
    columns: ['Payload bytes', ...series.map((s) => s.label)],
    rows: sizes.map((size) => [size, ...series.map((s) => wireBytesAt(s, size) ?? '')]),
  };
}
