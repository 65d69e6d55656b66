/**
 * The Lab's chart: every application message's latency against the time it was sent, one series
 * per flow, with the messages that never arrived marked on strips under the plot ("lost", and
 * "in flight" for those still travelling when the run ended). An outage shows as a gap in the dots
 * with a run of lost marks under it, or as a ramp of late deliveries when the protocol retries.
 *
 * Big runs stay cheap to draw: past a budget of dots, each flow keeps, per time slice, its fastest
 * and its slowest message (so spikes and floors survive), and lost marks closer than one pixel
 * merge. The summary says when that happened. The table twin counts messages per flow in a dozen
 * time slices, so it stays a readable size whatever the run.
 */
import { axisBottom, axisLeft, bisectRight, scaleLinear, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, marker, maybeNumber, SERIES_STYLES, svgRoot, text } from './common.ts';
import type { ChartTable } from './table.ts';

/** What the chart needs of one message (the worker's `MessageRow` has these fields). */
export interface LatencyMessage {
  flow: string;
  sentMs: number;
  /** First delivery minus send time; null when it never arrived. */
  latencyMs: number | null;
  status: 'delivered' | 'lost' | 'in-flight';
}

/** How to group and thin the messages (`latencyModel`). */
export interface LatencyModelOptions {
  /** Flow order for series and legend (e.g. the flow metrics' order); unknown flows follow in first-sent order. */
  flows?: readonly string[];
  /** Length of the run (ms): the x axis spans it. Default: the last send time. */
  durationMs?: number;
  /** Dots drawn in all, before thinning starts (default 2,000). */
  maxPoints?: number;
}

/** How to draw the model (`messageLatencyChart`). */
export interface MessageLatencyOptions {
  width?: number;
  title?: string;
  /** Legend entries before "N more flows" (default 20). */
  maxLegend?: number;
  /** The SVG's <desc>, when the caller already has `messageLatencySummary(model)`. */
  description?: string;
}

export interface LatencyPoint {
  sentMs: number;
  latencyMs: number;
}

/** One flow's messages, split by outcome, in send order. */
export interface LatencySeries {
  flow: string;
  /** Delivered messages that are drawn (all of them, or the thinned subset). */
  points: LatencyPoint[];
  /** Every delivered message (the table and the summary count these). */
  delivered: LatencyPoint[];
  /** Send times (ms) of the messages lost. */
  lost: number[];
  /** Send times (ms) of the messages still in flight when the run ended. */
  inFlight: number[];
}

/**
 * The messages grouped once for the chart, its summary and its table (a Lab run can hold tens of
 * thousands of messages: the page builds this once per run, then the three read it).
 */
export interface LatencyModel {
  series: LatencySeries[];
  /** Seconds. */
  xDomain: [number, number];
  /** Milliseconds, niced. */
  yDomain: [number, number];
  sent: number;
  delivered: number;
  lost: number;
  inFlight: number;
  /** Dots drawn (sum of series' points). */
  drawn: number;
  /** Time slices per flow used by thinning; 0 when nothing was thinned. */
  slices: number;
  /** Most latency steps a slice kept a dot of besides its fastest and slowest (`thinPoints`); 0 when none. */
  steps: number;
  medianLatencyMs: number | null;
  /** The delivered message that took longest (the first one on ties). */
  slowest: { flow: string; sentMs: number; latencyMs: number } | null;
}

const DEFAULT_MAX_POINTS = 2000;
const DEFAULT_MAX_LEGEND = 20;
/** A flow keeps at least this many dots, however many flows share the budget. */
const MIN_POINTS_PER_FLOW = 40;

/**
 * The style of series `index`: colours and markers cycle on different periods, so the first 36
 * flows each get a distinct (colour, marker) pair and colour never carries the flow alone.
 */
export function latencySeriesStyle(index: number): { color: string; marker: (typeof SERIES_STYLES)[number]['marker'] } {
  const n = SERIES_STYLES.length;
  return { color: SERIES_STYLES[index % n]!.color, marker: SERIES_STYLES[(index + Math.floor(index / n)) % n]!.marker };
}

/**
 * Keeps at most `budget` of `points` (in send order): when there are more, the time span
 * [x0, x1] is cut into floor(budget / 2) equal slices and each slice keeps its lowest-latency and
 * its highest-latency point (the first one on ties), in send order. Deterministic, and a spike or
 * a floor is never thinned away.
 *
 * When the points fill few of the slices, the budget left over goes to the latencies between: a
 * slice that may keep k > 2 points cuts its latency range into k - 2 equal steps and also keeps
 * the first point of each step. Without this, 9,998 copies of one publish, all sent at the same
 * moment, were two dots (the fastest and the slowest) however they spread between.
 */
export function thinPoints(points: readonly LatencyPoint[], budget: number, x0: number, x1: number): { points: LatencyPoint[]; slices: number; steps: number } {
  if (points.length <= budget) return { points: [...points], slices: 0, steps: 0 };
  const slices = Math.max(1, Math.floor(budget / 2));
  const span = x1 - x0 > 0 ? x1 - x0 : 1;
  const sliceOf = new Int32Array(points.length);
  const lowest = new Array<number>(slices).fill(-1);
  const highest = new Array<number>(slices).fill(-1);
  points.forEach((p, i) => {
    const s = Math.min(slices - 1, Math.max(0, Math.floor(((p.sentMs - x0) / span) * slices)));
    sliceOf[i] = s;
    if (lowest[s] === -1 || p.latencyMs < points[lowest[s]!]!.latencyMs) lowest[s] = i;
    if (highest[s] === -1 || p.latencyMs > points[highest[s]!]!.latencyMs) highest[s] = i;
  });
  const keep = new Set<number>();
  let filled = 0;
  for (let s = 0; s < slices; s++) {
    if (lowest[s] === -1) continue;
    filled++;
    keep.add(lowest[s]!);
    keep.add(highest[s]!);
  }
  const steps = Math.floor(budget / filled) - 2;
  if (steps > 0) {
    const taken = new Set<number>();
    points.forEach((p, i) => {
      const s = sliceOf[i]!;
      const low = points[lowest[s]!]!.latencyMs;
      const range = points[highest[s]!]!.latencyMs - low;
      if (range <= 0) return;
      const step = Math.min(steps - 1, Math.floor(((p.latencyMs - low) / range) * steps));
      const cell = s * steps + step;
      if (taken.has(cell)) return;
      taken.add(cell);
      keep.add(i);
    });
  }
  return { points: [...keep].sort((a, b) => a - b).map((i) => points[i]!), slices, steps: Math.max(0, steps) };
}

/**
 * The median of numbers sorted ascending, or null when there are none. (d3's `median` copies its
 * input through an iterator: measurably slow on the main thread for a run's tens of thousands of
 * latencies, where a typed array's numeric sort is not.)
 */
function medianOfSorted(sorted: ArrayLike<number>): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Groups `messages` by flow and thins the dots; what the chart, its summary and its table share. */
export function latencyModel(messages: readonly LatencyMessage[], options: LatencyModelOptions = {}): LatencyModel {
  const byFlow = new Map<string, { delivered: LatencyPoint[]; lost: number[]; inFlight: number[] }>();
  for (const flow of options.flows ?? []) byFlow.set(flow, { delivered: [], lost: [], inFlight: [] });
  let lastSent = 0;
  let slowest: LatencyModel['slowest'] = null;
  for (const m of messages) {
    let entry = byFlow.get(m.flow);
    if (!entry) byFlow.set(m.flow, (entry = { delivered: [], lost: [], inFlight: [] }));
    if (m.sentMs > lastSent) lastSent = m.sentMs;
    if (m.status === 'delivered' && m.latencyMs !== null) {
      entry.delivered.push({ sentMs: m.sentMs, latencyMs: m.latencyMs });
      if (!slowest || m.latencyMs > slowest.latencyMs) slowest = { flow: m.flow, sentMs: m.sentMs, latencyMs: m.latencyMs };
    } else if (m.status === 'lost') entry.lost.push(m.sentMs);
    else entry.inFlight.push(m.sentMs);
  }
  const flows = [...byFlow].filter(([, e]) => e.delivered.length + e.lost.length + e.inFlight.length > 0);
  const endMs = Math.max(maybeNumber(options.durationMs, 0), lastSent);
  const budget = Math.max(MIN_POINTS_PER_FLOW, Math.floor(maybeNumber(options.maxPoints, DEFAULT_MAX_POINTS) / Math.max(1, flows.length)));
  let slices = 0;
  let steps = 0;
  const series = flows.map(([flow, e]) => {
    const thinned = thinPoints(e.delivered, budget, 0, endMs);
    slices = Math.max(slices, thinned.slices);
    steps = Math.max(steps, thinned.steps);
    return { flow, points: thinned.points, delivered: e.delivered, lost: e.lost, inFlight: e.inFlight };
  });
  const y = scaleLinear().domain([0, slowest && slowest.latencyMs > 0 ? slowest.latencyMs : 1]).nice();
  const delivered = series.reduce((n, s) => n + s.delivered.length, 0);
  const lost = series.reduce((n, s) => n + s.lost.length, 0);
  const inFlight = series.reduce((n, s) => n + s.inFlight.length, 0);
  const latencies = new Float64Array(delivered);
  let k = 0;
  for (const s of series) for (const p of s.delivered) latencies[k++] = p.latencyMs;
  return {
    series,
    xDomain: [0, endMs > 0 ? endMs / 1000 : 1],
    yDomain: y.domain() as [number, number],
    sent: delivered + lost + inFlight,
    delivered,
    lost,
    inFlight,
    drawn: series.reduce((n, s) => n + s.points.length, 0),
    slices,
    steps,
    medianLatencyMs: medianOfSorted(latencies.sort()),
    slowest,
  };
}

const MARGIN = { top: 16, right: 20, left: 72 };
const PLOT_HEIGHT = 260;
const STRIP_HEIGHT = 18;
const LEGEND_ROW = 18;
const LEGEND_LABEL_CHARS = 44;
/** Width of one character of legend text (12 px sans-serif, digits and lower case), for fitting labels in a column. */
const LEGEND_CHAR_PX = 6.8;

/** Path data of one marker centred on (x, y): the same shapes and sizes as `marker` in common.ts. */
function markerPath(shape: (typeof SERIES_STYLES)[number]['marker'], x: number, y: number): string {
  const r = 4;
  switch (shape) {
    case 'circle':
      return `M${x - r},${y}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;
    case 'square':
      return `M${x - r},${y - r}h${2 * r}v${2 * r}h${-2 * r}Z`;
    case 'triangle':
      return `M${x},${y - r - 1}L${x + r + 1},${y + r}L${x - r - 1},${y + r}Z`;
    case 'diamond':
      return `M${x},${y - r - 1}L${x + r + 1},${y}L${x},${y + r + 1}L${x - r - 1},${y}Z`;
    case 'cross':
      return `M${x - r},${y - r}L${x + r},${y + r}M${x - r},${y + r}L${x + r},${y - r}`;
    case 'bar':
      return `M${x - 1.5},${y - r - 1}h3v${2 * r + 2}h-3Z`;
  }
}

/** "sent at 21.0 s" style numbers: at most one decimal, thousands separated. */
function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function shorten(label: string, chars = LEGEND_LABEL_CHARS): string {
  return label.length > chars ? `${label.slice(0, Math.max(1, chars - 1))}…` : label;
}

export function messageLatencyChart(model: LatencyModel, options: MessageLatencyOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 720);
  const title = options.title ?? 'Latency of each message over time';
  const description = options.description ?? messageLatencySummary(model);

  if (model.sent === 0) {
    const svg = svgRoot(document, width, 120, title, description);
    text(document, 'No messages were sent.', { x: width / 2, y: 64, 'text-anchor': 'middle', fill: 'currentColor', 'font-size': 14 }, svg);
    return svg;
  }

  const strips: { label: string; key: 'lost' | 'inFlight' }[] = [{ label: 'lost', key: 'lost' }];
  if (model.inFlight > 0) strips.push({ label: 'in flight', key: 'inFlight' });
  const maxLegend = Math.max(1, Math.floor(maybeNumber(options.maxLegend, DEFAULT_MAX_LEGEND)));
  const legendShown = model.series.slice(0, maxLegend);
  const hidden = model.series.length - legendShown.length;
  const columns = width >= 640 && legendShown.length > 4 ? 2 : 1;
  const legendRows = Math.ceil(legendShown.length / columns) + (hidden > 0 ? 1 : 0);

  const plotBottom = MARGIN.top + PLOT_HEIGHT;
  const stripTop = plotBottom + 6;
  const axisY = stripTop + strips.length * STRIP_HEIGHT + 2;
  const legendTop = axisY + 52;
  const height = legendTop + legendRows * LEGEND_ROW + 6;
  const svg = svgRoot(document, width, height, title, description);

  const x = scaleLinear().domain(model.xDomain).range([MARGIN.left, width - MARGIN.right]).clamp(true);
  const y = scaleLinear().domain(model.yDomain).range([plotBottom, MARGIN.top]);

  // Axes and grid in currentColor: the page's text colour, which meets contrast in both themes.
  const axes = el(document, 'g', { class: 'axes', fill: 'currentColor' }, svg);
  const grid = el(document, 'g', { class: 'grid', stroke: 'currentColor', 'stroke-opacity': 0.15 }, axes);
  for (const t of y.ticks(6)) el(document, 'line', { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(t), y2: y(t) }, grid);
  const xAxis = el(document, 'g', { class: 'x-axis', transform: `translate(0,${axisY})` }, axes);
  select(xAxis).call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 80))));
  legibleAxis(xAxis);
  const yAxis = el(document, 'g', { class: 'y-axis', transform: `translate(${MARGIN.left},0)` }, axes);
  select(yAxis).call(axisLeft(y).ticks(6));
  legibleAxis(yAxis);
  text(document, 'time the message was sent (s)', { x: (MARGIN.left + width - MARGIN.right) / 2, y: axisY + 34, 'text-anchor': 'middle', fill: 'currentColor' }, axes);
  text(document, 'latency (ms)', { transform: `translate(14,${(MARGIN.top + plotBottom) / 2}) rotate(-90)`, 'text-anchor': 'middle', fill: 'currentColor' }, axes);

  // Strips for the messages that have no latency: one mark per message at its send time.
  strips.forEach((strip, row) => {
    const top = stripTop + row * STRIP_HEIGHT;
    const mid = top + STRIP_HEIGHT / 2;
    const g = el(document, 'g', { class: `strip strip-${strip.key === 'lost' ? 'lost' : 'in-flight'}` }, svg);
    el(document, 'rect', { x: MARGIN.left, y: top + 1, width: width - MARGIN.left - MARGIN.right, height: STRIP_HEIGHT - 2, fill: 'currentColor', 'fill-opacity': 0.07 }, g);
    text(document, strip.label, { x: MARGIN.left - 8, y: mid + 4, 'text-anchor': 'end', fill: 'currentColor' }, g);
    model.series.forEach((s, i) => {
      const times = s[strip.key];
      if (times.length === 0) return;
      // One path per flow; marks that fall in the same pixel column are drawn once.
      const columnsSeen = new Set<number>();
      let d = '';
      for (const t of times) {
        const cx = Math.round(x(t / 1000));
        if (columnsSeen.has(cx)) continue;
        columnsSeen.add(cx);
        d += strip.key === 'lost' ? `M${cx - 4},${mid - 4}L${cx + 4},${mid + 4}M${cx - 4},${mid + 4}L${cx + 4},${mid - 4}` : `M${cx},${mid - 5}v10`;
      }
      el(document, 'path', { d, stroke: latencySeriesStyle(i).color, 'stroke-width': 2, fill: 'none', 'data-series': s.flow, 'data-marks': columnsSeen.size }, g);
    });
  });

  // Dots: each flow's marker shape in its colour, slightly see-through, all of one flow in one
  // path (a few dozen nodes however many dots: light to draw and to export). Flows often share a
  // latency (same links): the first flows are drawn last, on top, and their circles are smaller
  // than the later flows' squares, so both stay visible where they overlap.
  const dots = el(document, 'g', { class: 'series', 'fill-opacity': 0.8 }, svg);
  [...model.series.entries()].reverse().forEach(([i, s]) => {
    const style = latencySeriesStyle(i);
    let d = '';
    for (const p of s.points) d += markerPath(style.marker, Math.round(x(p.sentMs / 1000) * 10) / 10, Math.round(y(p.latencyMs) * 10) / 10);
    const paint = style.marker === 'cross' ? { fill: 'none', stroke: style.color, 'stroke-width': 2.5 } : { fill: style.color };
    el(document, 'path', { d, ...paint, 'data-series': s.flow, 'data-points': s.points.length }, dots);
  });

  const legend = el(document, 'g', { class: 'legend', fill: 'currentColor' }, svg);
  const columnWidth = (width - MARGIN.left - MARGIN.right) / columns;
  legendShown.forEach((s, i) => {
    const style = latencySeriesStyle(i);
    const lx = MARGIN.left + (i % columns) * columnWidth;
    const ly = legendTop + Math.floor(i / columns) * LEGEND_ROW;
    const item = el(document, 'g', { class: 'legend-item' }, legend);
    marker(document, style.marker, lx + 6, ly, style.color, item);
    const counts = `${fmt(s.delivered.length + s.lost.length + s.inFlight.length, 0)} sent, ${fmt(s.lost.length, 0)} lost`;
    // The flow's name gets what the column leaves after the marker and the counts, so two
    // columns of long names do not run into each other.
    const fits = Math.floor((columnWidth - 22) / LEGEND_CHAR_PX) - counts.length - 3;
    const chars = Math.min(LEGEND_LABEL_CHARS, fits);
    const label = text(document, `${shorten(s.flow, chars)} (${counts})`, { x: lx + 16, y: ly + 4 }, item);
    if (s.flow.length > chars) el(document, 'title', {}, label).textContent = s.flow;
  });
  if (hidden > 0) {
    text(document, `and ${hidden} more flow${hidden === 1 ? '' : 's'} (see the table)`, { x: MARGIN.left, y: legendTop + (legendRows - 1) * LEGEND_ROW + 4, class: 'legend-more' }, legend);
  }
  return svg;
}

/** What the chart shows, in sentences: counts, the slowest message, which sends were lost, thinning. */
export function messageLatencySummary(model: LatencyModel): string {
  if (model.sent === 0) return 'No messages were sent.';
  const flows = model.series.length;
  const parts = [`${flows} flow${flows === 1 ? '' : 's'}, ${fmt(model.sent, 0)} message${model.sent === 1 ? '' : 's'} sent: ${fmt(model.delivered, 0)} delivered, ${fmt(model.lost, 0)} lost` +
    (model.inFlight > 0 ? `, ${fmt(model.inFlight, 0)} still in flight at the end.` : '.')];
  const slowest = model.slowest;
  if (slowest && model.medianLatencyMs !== null) {
    parts.push(`Median latency ${fmt(model.medianLatencyMs)} ms; the slowest message (${slowest.flow}, sent at ${fmt(slowest.sentMs / 1000)} s) took ${fmt(slowest.latencyMs)} ms.`);
  }
  if (model.lost > 0) {
    // Where the losses are, per flow (most first): an outage reads as a long span of sends lost.
    const losing = model.series.filter((f) => f.lost.length > 0).sort((a, b) => b.lost.length - a.lost.length);
    const named = losing.slice(0, 3).map((f) => {
      const first = fmt(f.lost[0]! / 1000);
      const last = fmt(f.lost.at(-1)! / 1000);
      return `${f.flow} ${fmt(f.lost.length, 0)} (sent ${first === last ? `at ${first} s` : `from ${first} s to ${last} s`})`;
    });
    if (losing.length > 3) named.push(`${losing.length - 3} more flow${losing.length === 4 ? '' : 's'}`);
    parts.push(`Lost: ${named.join(', ')}.`);
  }
  if (model.slices > 0) {
    const between = model.steps > 0 ? `, and one in each of up to ${fmt(model.steps, 0)} steps of latency between` : '';
    parts.push(`Drawn: ${fmt(model.drawn, 0)} of ${fmt(model.delivered, 0)} delivered messages (per flow, the fastest and the slowest in each of ${fmt(model.slices, 0)} time slices${between}).` +
      (model.lost + model.inFlight > 0 ? ' Every message not delivered is marked; marks closer than a pixel merge.' : ''));
  }
  return parts.join(' ');
}

/**
 * Rows the table twin stays within (unless it has more flows than that): the page renders every
 * cell, and each numeric cell is formatted for the reader.
 */
const TABLE_ROWS = 48;

/**
 * Slice boundaries (s) on round seconds: up to about a dozen slices, as many as keep the table
 * within TABLE_ROWS rows, and one slice (the whole run) when even two would not.
 */
function sliceEdges(model: LatencyModel): number[] {
  const [x0, x1] = model.xDomain;
  const allowed = Math.floor(TABLE_ROWS / Math.max(1, model.series.length));
  for (let count = Math.min(12, allowed); count >= 2; count--) {
    const ticks = scaleLinear().domain([x0, x1]).ticks(count).filter((t) => t > x0 && t < x1);
    if (ticks.length + 1 <= allowed) return [x0, ...ticks, x1];
  }
  return [x0, x1];
}

/** The slice [edges[i], edges[i + 1]) holding `seconds`; the last slice also holds its end. */
function sliceOf(edges: readonly number[], seconds: number): number {
  return Math.min(edges.length - 2, Math.max(0, bisectRight(edges, seconds) - 1));
}

/**
 * The chart's table twin: per flow and per time slice (see `sliceEdges`), the
 * messages sent, delivered, lost and in flight, with the median and the highest latency.
 */
export function messageLatencyTable(model: LatencyModel, caption = 'Messages per flow and time slice'): ChartTable {
  const edges = sliceEdges(model);
  const rows: (string | number)[][] = [];
  for (const s of model.series) {
    const slices = edges.slice(0, -1).map(() => ({ delivered: [] as number[], lost: 0, inFlight: 0 }));
    for (const p of s.delivered) slices[sliceOf(edges, p.sentMs / 1000)]!.delivered.push(p.latencyMs);
    for (const t of s.lost) slices[sliceOf(edges, t / 1000)]!.lost++;
    for (const t of s.inFlight) slices[sliceOf(edges, t / 1000)]!.inFlight++;
    slices.forEach((slice, i) => {
      const sent = slice.delivered.length + slice.lost + slice.inFlight;
      if (sent === 0) return;
      const sorted = slice.delivered.sort((a, b) => a - b);
      const med = medianOfSorted(sorted);
      const top = sorted.at(-1);
      rows.push([s.flow, edges[i]!, edges[i + 1]!, sent, sorted.length, slice.lost, slice.inFlight,
        med === null ? '' : Math.round(med * 10) / 10, top === undefined ? '' : Math.round(top * 10) / 10]);
    });
  }
  return {
    caption,
    columns: ['Flow', 'Sent from (s)', 'Sent before (s)', 'Sent', 'Delivered', 'Lost', 'In flight', 'Median latency (ms)', 'Highest latency (ms)'],
    rows,
  };
}
