/**
 * Chapter 11's storm chart: connections clients opened to the balancer in each 100 ms after a
 * server failed (their first SYNs) with the handshake packets sent again stacked on top (a SYN or
 * SYN-ACK unanswered for an RTO; told apart by colour and hatching), packets dropped in front of the balancer as marks below the axis, and a stepped
 * line of how many of the failed server's clients were back (right-hand scale). Dashed rules mark
 * the failure and the moment the balancer marked the server DOWN.
 */
import { axisBottom, axisLeft, axisRight, scaleLinear, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, NARROW_WIDTH, seriesStyle, svgRoot, text } from './common.ts';
import type { ChartTable } from './table.ts';

export interface StormBinRow {
  /** Seconds after the failure at which the 100 ms slice starts. */
  tS: number;
  /** Connections opened (first SYNs). */
  attempts: number;
  /** SYNs and SYN-ACKs sent again. */
  handshakeRetransmits: number;
  drops: number;
  /** Clients back so far (cumulative). */
  backSoFar: number;
}

export interface StormChartOptions {
  width?: number;
  title?: string;
  /** Seconds after the failure when the server was marked DOWN, or null. */
  downAfterS: number | null;
  /** Clients that lost their connection (the right-hand scale's top). */
  displaced: number;
}

const LEGEND_LEFT = 44;
const num = (v: number, d = 1) => v.toLocaleString('en-US', { maximumFractionDigits: d });

export function stormAttemptsChart(allRows: StormBinRow[], options: StormChartOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  // Room on the left for the tick labels ("2,000") and the axis title beside them.
  const left = 60;
  const right = narrow ? 40 : 48;
  const top = 16 + 28;
  const plotBottom = narrow ? 210 : 240;
  // Under the axis: its tick labels, its title, then the strip of drops on a baseline of its own.
  const axisTitleY = plotBottom + 34;
  const dropsRow = plotBottom + 66;
  const legendTop = dropsRow + 26;
  const legend = [
    { name: 'connections opened (first SYNs)', fill: seriesStyle(0).color },
    { name: 'SYNs and SYN-ACKs sent again', fill: 'url(#wl-storm-hatch)' },
    { name: 'clients back (right scale)', line: seriesStyle(2).color },
    { name: 'packets dropped in front of the balancer', drop: true },
  ];
  const perLine = narrow ? 1 : 2;
  const height = legendTop + Math.ceil(legend.length / perLine) * 20 + 4;
  const svg = svgRoot(document, width, height, options.title ?? 'Connection attempts per 100 ms after the failure', stormAttemptsSummary(allRows, options));
  let rows = allRows;
  // The axis ends 2 s after the last slice in which anything happened (at least 5 s, at most the
  // run), so a burst of one slice stays wide enough to see.
  const runEndS = rows.length > 0 ? rows[rows.length - 1]!.tS + 0.1 : 1;
  const lastActive = rows.reduce((t, r, i) => (r.attempts + r.handshakeRetransmits + r.drops > 0 || (i > 0 && r.backSoFar !== rows[i - 1]!.backSoFar) ? r.tS + 0.1 : t), 0);
  const endS = Math.min(runEndS, Math.max(5, Math.ceil(lastActive + 2), (options.downAfterS ?? 0) + 1));
  rows = rows.filter((r) => r.tS < endS);
  const x = scaleLinear().domain([0, endS]).range([left, width - right]);
  const yMax = Math.max(1, ...rows.map((r) => r.attempts + r.handshakeRetransmits));
  const y = scaleLinear().domain([0, yMax]).nice().range([plotBottom, top]);
  const yBack = scaleLinear().domain([0, Math.max(1, options.displaced)]).range([plotBottom, top]);

  const defs = el(document, 'defs', {}, svg);
  const hatch = el(document, 'pattern', { id: 'wl-storm-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, defs);
  el(document, 'rect', { width: 6, height: 6, fill: seriesStyle(1).color }, hatch);
  el(document, 'line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#ffffff', 'stroke-width': 2, 'stroke-opacity': 0.6 }, hatch);

  const g = el(document, 'g', { fill: 'currentColor' }, svg);
  const barW = Math.max(2, x(0.1) - x(0) - 0.5);
  for (const r of rows) {
    if (r.attempts + r.handshakeRetransmits === 0) continue;
    const x0 = x(r.tS);
    const total = r.attempts + r.handshakeRetransmits;
    if (r.attempts > 0) el(document, 'rect', { x: x0, y: y(r.attempts), width: barW, height: plotBottom - y(r.attempts), fill: seriesStyle(0).color, 'data-t': r.tS }, g);
    if (r.handshakeRetransmits > 0) el(document, 'rect', { x: x0, y: y(total), width: barW, height: y(r.attempts) - y(total), fill: 'url(#wl-storm-hatch)', 'data-t': r.tS, 'data-retransmits': r.handshakeRetransmits }, g);
  }
  // Drops: a red tick in the strip under the axis per slice that dropped any, as long as the log of its count.
  el(document, 'line', { x1: left, x2: width - right, y1: dropsRow, y2: dropsRow, stroke: 'currentColor', 'stroke-opacity': 0.4 }, g);
  for (const r of rows) {
    if (r.drops === 0) continue;
    const h = 4 + Math.min(14, 3 * Math.log2(1 + r.drops));
    el(document, 'rect', { x: x(r.tS), y: dropsRow - h, width: Math.max(2, barW), height: h, fill: seriesStyle(4).color, 'data-drops': r.drops }, g);
  }
  text(document, 'drops', { x: left - 6, y: dropsRow - 2, 'text-anchor': 'end' }, g);
  // Clients back: a stepped line.
  let d = `M${x(0)},${yBack(0)}`;
  for (const r of rows) d += `H${x(r.tS + 0.1)}V${yBack(r.backSoFar)}`;
  el(document, 'path', { d, fill: 'none', stroke: seriesStyle(2).color, 'stroke-width': 2, 'stroke-dasharray': seriesStyle(2).dash }, g);
  // The failure and DOWN.
  // Labels on their own lines (they would overlap when DOWN comes soon after the failure), and
  // ending at the rule when it sits in the right half.
  const rule = (tS: number, label: string, line: number) => {
    el(document, 'line', { x1: x(tS), x2: x(tS), y1: 18 + 16 * line, y2: plotBottom, stroke: 'currentColor', 'stroke-dasharray': '4 3', 'stroke-opacity': 0.7 }, g);
    const onRight = x(tS) > (left + width - right) / 2;
    text(document, label, { x: x(tS) + (onRight ? -4 : 4), y: 14 + 16 * line, 'text-anchor': onRight ? 'end' : 'start' }, g);
  };
  rule(0, 'server fails', 0);
  if (options.downAfterS !== null && options.downAfterS < endS) rule(options.downAfterS, `marked DOWN (${num(options.downAfterS, 2)} s)`, 1);

  const xAxis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, g);
  select(xAxis).call(axisBottom(x).ticks(Math.max(3, Math.floor((width - left - right) / 70))).tickFormat((v) => num(Number(v))));
  legibleAxis(xAxis);
  text(document, 'seconds after the failure', { x: (left + width - right) / 2, y: axisTitleY, 'text-anchor': 'middle' }, g);
  const yAxis = el(document, 'g', { transform: `translate(${left},0)` }, g);
  // Whole numbers only: a count of 3 gets ticks 0, 1, 2, 3.
  select(yAxis).call(axisLeft(y).ticks(Math.min(5, y.domain()[1]!)).tickFormat((v) => num(Number(v), 0)));
  legibleAxis(yAxis);
  text(document, 'attempts per 100 ms', { transform: `translate(13,${(top + plotBottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, g);
  const yRight = el(document, 'g', { transform: `translate(${width - right},0)` }, g);
  select(yRight).call(axisRight(yBack).ticks(Math.min(4, Math.max(1, options.displaced))).tickFormat((v) => num(Number(v), 0)));
  legibleAxis(yRight);

  legend.forEach((item, i) => {
    // From 44 px whatever the plot's left margin: the longest entry needs the phone's width.
    const lx = LEGEND_LEFT + (i % perLine) * ((width - LEGEND_LEFT - right) / perLine);
    const ly = legendTop + Math.floor(i / perLine) * 20;
    if (item.line) el(document, 'line', { x1: lx, x2: lx + 16, y1: ly - 4, y2: ly - 4, stroke: item.line, 'stroke-width': 2, 'stroke-dasharray': seriesStyle(2).dash }, g);
    else el(document, 'rect', { x: lx, y: ly - 10, width: 16, height: 10, fill: item.drop ? seriesStyle(4).color : item.fill }, g);
    text(document, item.name, { x: lx + 22, y: ly }, g);
  });
  return svg;
}

export function stormAttemptsSummary(rows: StormBinRow[], options: Pick<StormChartOptions, 'downAfterS' | 'displaced'>): string {
  const peak = rows.reduce((best, r) => (r.attempts > best.attempts ? r : best), { tS: 0, attempts: 0, handshakeRetransmits: 0, drops: 0, backSoFar: 0 });
  const attempts = rows.reduce((n, r) => n + r.attempts, 0);
  const retrans = rows.reduce((n, r) => n + r.handshakeRetransmits, 0);
  const drops = rows.reduce((n, r) => n + r.drops, 0);
  const last = rows.findIndex((r) => r.backSoFar >= options.displaced);
  return [
    `${num(attempts, 0)} connections opened after the failure, and ${num(retrans, 0)} SYNs or SYN-ACKs sent again; the busiest 100 ms, from ${num(peak.tS)} s, had ${num(peak.attempts, 0)} new connections.`,
    options.downAfterS === null ? 'The balancer never marked the server DOWN.' : `The balancer marked the server DOWN ${num(options.downAfterS, 2)} s after it failed.`,
    `${num(drops, 0)} packets were dropped in front of the balancer.`,
    last < 0 || options.displaced === 0 ? `Not all of its ${num(options.displaced, 0)} clients were back by the end.` : `All ${num(options.displaced, 0)} of its clients were back by ${num(rows[last]!.tS + 0.1)} s.`,
  ].join(' ');
}

/** The table twin: every 100 ms slice in which anything happened. */
export function stormAttemptsTable(rows: StormBinRow[]): ChartTable {
  return {
    caption: 'Connection attempts, drops and clients back, per 100 ms after the failure (slices with nothing left out)',
    columns: ['from (s after failure)', 'connections opened', 'SYNs and SYN-ACKs sent again', 'packets dropped', 'clients back so far'],
    rows: rows.filter((r, i) => r.attempts > 0 || r.handshakeRetransmits > 0 || r.drops > 0 || (i > 0 && r.backSoFar !== rows[i - 1]!.backSoFar)).map((r) => [num(r.tS), r.attempts, r.handshakeRetransmits, r.drops, r.backSoFar]),
  };
}
