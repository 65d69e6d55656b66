/**
 * What TCP did underneath each stream, on one time axis: a row per stream, a mark per dropped
 * packet and per retransmission, each kind with its own shape (and colour): drop ×, timeout
 * (RTO) square, fast retransmit (SACK/RACK) triangle, tail loss probe diamond.
 */
import { axisBottom, scaleLinear, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, marker, NARROW_WIDTH, svgRoot, text } from './common.ts';
import type { ChartTable } from './table.ts';

export type TimelineMarkKind = 'drop' | 'rto' | 'fast-retransmit' | 'probe';

export interface TimelineRow {
  id: string;
  label: string;
}

export interface TimelineMark {
  row: string;
  kind: TimelineMarkKind;
  tMs: number;
}

export const TIMELINE_KINDS: readonly { kind: TimelineMarkKind; label: string; shape: 'cross' | 'square' | 'triangle' | 'diamond'; color: string }[] = [
  { kind: 'drop', label: 'packet dropped by the link', shape: 'cross', color: '#dc2f2f' },
  { kind: 'rto', label: 'retransmission after a timeout (RTO)', shape: 'square', color: '#c8570a' },
  { kind: 'fast-retransmit', label: 'fast retransmission (SACK, RACK)', shape: 'triangle', color: '#16913f' },
  { kind: 'probe', label: 'tail loss probe', shape: 'diamond', color: '#a347f5' },
];

const ROW = 34;
const fmt = (v: number, digits = 1) => v.toLocaleString('en-US', { maximumFractionDigits: digits });
const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function tcpTimelineChart(rows: TimelineRow[], marks: TimelineMark[], options: { width?: number; title?: string; durationMs?: number }, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  const left = narrow ? 86 : 104;
  const right = 16;
  const top = 10;
  const plotBottom = top + rows.length * ROW;
  const legendTop = plotBottom + 52;
  const legendRows = narrow ? TIMELINE_KINDS.length : Math.ceil(TIMELINE_KINDS.length / 2);
  const height = legendTop + legendRows * 20;
  const svg = svgRoot(document, width, height, options.title ?? 'What TCP did underneath', tcpTimelineSummary(rows, marks));
  const end = Math.max(options.durationMs ?? 0, ...marks.map((m) => m.tMs), 1);
  const x = scaleLinear().domain([0, end]).range([left, width - right]).nice();

  const axes = el(document, 'g', { class: 'axes', fill: 'currentColor' }, svg);
  rows.forEach((r, i) => {
    const mid = top + i * ROW + ROW / 2;
    el(document, 'rect', { x: left, y: top + i * ROW + 3, width: width - left - right, height: ROW - 6, fill: 'currentColor', 'fill-opacity': i % 2 ? 0.04 : 0.08 }, axes);
    // On a phone the row names lose their protocol prefix ("MQTT QoS 0" -> "QoS 0") to fit.
    text(document, narrow ? r.label.replace(/^MQTT /, '') : r.label, { x: left - 6, y: mid + 4, 'text-anchor': 'end' }, axes);
  });
  const xAxis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, axes);
  select(xAxis).call(axisBottom(x).ticks(Math.max(2, Math.floor(width / 90))).tickFormat((v) => fmt(Number(v) / 1000, 1)));
  legibleAxis(xAxis);
  text(document, 'seconds since the stream started', { x: (left + width - right) / 2, y: plotBottom + 34, 'text-anchor': 'middle' }, axes);

  const g = el(document, 'g', { class: 'marks' }, svg);
  TIMELINE_KINDS.forEach((k, ki) => {
    const group = el(document, 'g', { 'data-kind': k.kind }, g);
    rows.forEach((r, i) => {
      // The kinds share a row, each a little above or below its middle, so a drop and the
      // retransmission that repairs it stay apart.
      const y = top + i * ROW + ROW / 2 + (ki - 1.5) * 5;
      for (const m of marks) if (m.row === r.id && m.kind === k.kind) marker(document, k.shape, x(m.tMs), y, k.color, group);
    });
  });

  const legend = el(document, 'g', { class: 'legend', fill: 'currentColor' }, svg);
  const colWidth = narrow ? width : (width - 16) / 2;
  TIMELINE_KINDS.forEach((k, i) => {
    const lx = 8 + (narrow ? 0 : (i % 2) * colWidth);
    const ly = legendTop + (narrow ? i : Math.floor(i / 2)) * 20;
    marker(document, k.shape, lx + 6, ly, k.color, legend);
    text(document, k.label, { x: lx + 18, y: ly + 4 }, legend);
  });
  return svg;
}

function countsOf(rows: TimelineRow[], marks: TimelineMark[]) {
  return rows.map((r) => {
    const c: Record<TimelineMarkKind, number> = { drop: 0, rto: 0, 'fast-retransmit': 0, probe: 0 };
    for (const m of marks) if (m.row === r.id) c[m.kind]++;
    return { row: r, c };
  });
}

export function tcpTimelineSummary(rows: TimelineRow[], marks: TimelineMark[]): string {
  return countsOf(rows, marks)
    .map(({ row, c }) => `${row.label}: ${count(c.drop, 'packet')} dropped; ${count(c['fast-retransmit'], 'fast retransmission')}, ${count(c.probe, 'tail loss probe')}, ${count(c.rto, 'timeout')}.`)
    .join(' ');
}

/** The table twin: every mark, in time order. */
export function tcpTimelineTable(rows: TimelineRow[], marks: TimelineMark[], caption = 'Drops and retransmissions, in time order'): ChartTable {
  const label = new Map(rows.map((r) => [r.id, r.label]));
  const kind = new Map(TIMELINE_KINDS.map((k) => [k.kind, k.label]));
  return {
    caption,
    columns: ['time since the stream started (s)', 'stream', 'what happened'],
    rows: [...marks].sort((a, b) => a.tMs - b.tMs).map((m) => [Math.round(m.tMs) / 1000, label.get(m.row) ?? m.row, kind.get(m.kind) ?? m.kind]),
  };
}
