/**
 * Chapter 7's timeline: four lanes (WebSocket server and browser, MQTT broker and device) on one
 * time axis in minutes, a mark for what each end sent, received or lost, and for the moment it
 * learned that its connection was gone. A dashed line marks when each protocol's connection died,
 * and a thin line each alert the server side sent. Each kind of mark has its own shape and colour.
 */
import { axisBottom, scaleLinear, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, marker, NARROW_WIDTH, svgRoot, text } from './common.ts';
import type { ChartTable } from './table.ts';

export type LaneMarkKind = 'keepalive' | 'message' | 'lost' | 'retransmit' | 'connect' | 'closed';

export interface LaneMark {
  lane: string;
  tMs: number;
  kind: LaneMarkKind;
  text: string;
}

export interface Lane {
  id: string;
  label: string;
  /** The name on a phone, where the label does not fit. */
  short: string;
  /** When this lane's connection died (a dashed line), ms; null when it did not. */
  diedAtMs: number | null;
}

export const LANE_KINDS: readonly { kind: LaneMarkKind; label: string; shape: 'circle' | 'square' | 'triangle' | 'diamond' | 'cross' | 'bar'; color: string }[] = [
  { kind: 'keepalive', label: 'ping, pong, PINGREQ, PINGRESP', shape: 'circle', color: '#2f7fe0' },
  { kind: 'message', label: 'alert sent or received', shape: 'triangle', color: '#16913f' },
  { kind: 'lost', label: 'packet dropped (NAT or dark network)', shape: 'cross', color: '#dc2f2f' },
  { kind: 'retransmit', label: 'TCP retransmission', shape: 'square', color: '#c8570a' },
  { kind: 'connect', label: 'connection opened', shape: 'bar', color: '#0f86a6' },
  { kind: 'closed', label: 'this end learned it was gone', shape: 'diamond', color: '#a347f5' },
];

const ROW = 36;
const min = (ms: number) => (ms / 60_000).toLocaleString('en-US', { maximumFractionDigits: 2 });

export function aliveTimelineChart(lanes: Lane[], marks: LaneMark[], options: { width?: number; title?: string; runMs: number; alertsMs: number[] }, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  const left = narrow ? 70 : 150;
  const right = 12;
  const top = 10;
  const plotBottom = top + lanes.length * ROW;
  const legendTop = plotBottom + 54;
  const perRow = narrow ? 1 : 2;
  // The marks' kinds, then the two kinds of vertical line.
  const legendItems = LANE_KINDS.length + 2;
  const height = legendTop + Math.ceil(legendItems / perRow) * 20;
  const svg = svgRoot(document, width, height, options.title ?? 'What each end sent and saw', aliveTimelineSummary(lanes, marks));
  const x = scaleLinear().domain([0, options.runMs]).range([left, width - right]);
  const g = el(document, 'g', { fill: 'currentColor' }, svg);
  lanes.forEach((lane, i) => {
    const y0 = top + i * ROW;
    el(document, 'rect', { x: left, y: y0 + 3, width: width - left - right, height: ROW - 6, fill: 'currentColor', 'fill-opacity': i % 2 ? 0.04 : 0.08 }, g);
    text(document, narrow ? lane.short : lane.label, { x: left - 6, y: y0 + ROW / 2 + 4, 'text-anchor': 'end' }, g);
    if (lane.diedAtMs !== null) el(document, 'line', { x1: x(lane.diedAtMs), x2: x(lane.diedAtMs), y1: y0 + 2, y2: y0 + ROW - 2, stroke: '#dc2f2f', 'stroke-width': 2, 'stroke-dasharray': '4 3' }, g);
  });
  for (const t of options.alertsMs) el(document, 'line', { x1: x(t), x2: x(t), y1: top, y2: plotBottom, stroke: 'currentColor', 'stroke-opacity': 0.35 }, g);
  const axis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, g);
  select(axis).call(axisBottom(x).tickValues(ticks(options.runMs, narrow)).tickFormat((v) => min(Number(v))));
  legibleAxis(axis);
  text(document, 'minutes into the run', { x: (left + width - right) / 2, y: plotBottom + 34, 'text-anchor': 'middle' }, g);

  const marksG = el(document, 'g', { class: 'marks' }, svg);
  LANE_KINDS.forEach((k, ki) => {
    const group = el(document, 'g', { 'data-kind': k.kind }, marksG);
    lanes.forEach((lane, i) => {
      const y = top + i * ROW + ROW / 2 + (ki - 2.5) * 4;
      for (const m of marks) if (m.lane === lane.id && m.kind === k.kind) marker(document, k.shape, x(m.tMs), y, k.color, group);
    });
  });
  const legend = el(document, 'g', { fill: 'currentColor' }, svg);
  const col = (width - 16) / perRow;
  LANE_KINDS.forEach((k, i) => {
    const lx = 8 + (i % perRow) * col;
    const ly = legendTop + Math.floor(i / perRow) * 20;
    marker(document, k.shape, lx + 6, ly, k.color, legend);
    text(document, k.label, { x: lx + 18, y: ly + 4 }, legend);
  });
  const lines = [
    { label: 'the server side sent an alert', attrs: { stroke: 'currentColor', 'stroke-opacity': 0.35 } },
    { label: 'the connection died', attrs: { stroke: '#dc2f2f', 'stroke-width': 2, 'stroke-dasharray': '4 3' } },
  ];
  lines.forEach((l, j) => {
    const i = LANE_KINDS.length + j;
    const lx = 8 + (i % perRow) * col;
    const ly = legendTop + Math.floor(i / perRow) * 20;
    el(document, 'line', { x1: lx + 6, x2: lx + 6, y1: ly - 7, y2: ly + 7, ...l.attrs }, legend);
    text(document, l.label, { x: lx + 18, y: ly + 4 }, legend);
  });
  return svg;
}

/** Every 5 minutes on a desktop, every 10 on a phone. */
function ticks(runMs: number, narrow: boolean): number[] {
  const step = (narrow ? 10 : 5) * 60_000;
  const out: number[] = [];
  for (let t = 0; t <= runMs; t += step) out.push(t);
  return out;
}

export function aliveTimelineSummary(lanes: Lane[], marks: LaneMark[]): string {
  return lanes
    .map((lane) => {
      const mine = marks.filter((m) => m.lane === lane.id);
      const n = (kind: LaneMarkKind) => mine.filter((m) => m.kind === kind).length;
      const closed = mine.find((m) => m.kind === 'closed');
      const count = (kind: LaneMarkKind, one: string) => `${n(kind)} ${one}${n(kind) === 1 ? '' : 's'}`;
      return `${lane.label}: ${count('keepalive', 'keepalive packet')}, ${count('message', 'alert')}, ${n('lost')} dropped, ${count('retransmit', 'retransmission')}; ${closed ? `learned its connection was gone at ${min(closed.tMs)} min` : 'never learned its connection was gone'}.`;
    })
    .join(' ');
}

/** The table twin: every mark, in time order. */
export function aliveTimelineTable(lanes: Lane[], marks: LaneMark[]): ChartTable {
  const label = new Map(lanes.map((l) => [l.id, l.label]));
  return {
    caption: 'What each end sent and saw, in time order',
    columns: ['time (s)', 'end', 'what'],
    rows: [...marks].sort((a, b) => a.tMs - b.tMs).map((m) => [Math.round(m.tMs) / 1000, label.get(m.lane) ?? m.lane, m.text]),
  };
}
