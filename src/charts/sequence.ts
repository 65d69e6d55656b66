/**
 * Chapter 2's chart: a sequence diagram. One vertical lane per endpoint, time running down, one
 * slanted arrow per packet from the moment it left to the moment it arrived. Packets are
 * focusable buttons (`data-id`) so the wrapper can open the byte inspector on click or Enter;
 * the diagram is one tab stop and the arrow keys move between packets. Drawn at its container's
 * width; packets sent at the same moment get an arrow and a label each (SAME_MOMENT_GAP).
 */
import { axisLeft, scaleLinear, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, maybeNumber, NARROW_WIDTH, svgRoot, text, formatBytes } from './common.ts';
import type { ChartTable } from './table.ts';

export type SequenceLayer = 'tcp' | 'tls' | 'http' | 'websocket' | 'mqtt';

export interface SequenceLane {
  id: string;
  label: string;
}

export interface SequenceMessage {
  id: string;
  from: string;
  to: string;
  sentMs: number;
  arrivedMs: number;
  /** What a reader calls it: "SYN", "ClientHello…Finished", "GET / (Upgrade)", "CONNACK". */
  label: string;
  /** Bytes on the wire for this packet, headers included as the widget chose. */
  bytes: number;
  layer: SequenceLayer;
  /** The packet never arrived (its connection died with it): drawn to `arrivedMs` half way, crossed. */
  lost?: boolean;
}

export interface SequenceOptions {
  width?: number;
  height?: number;
  title?: string;
  /** How many packets are shown (the step-through position); default all. */
  visibleCount?: number;
  selectedId?: string;
}

/** Stroke pattern and a text tag per layer: the layer is readable without colour. */
export const LAYER_STYLES: Record<SequenceLayer, { color: string; dash: string; tag: string }> = {
  tcp: { color: '#6b7280', dash: '4 3', tag: 'TCP' },
  tls: { color: '#a347f5', dash: '8 3 2 3', tag: 'TLS' },
  http: { color: '#c8570a', dash: '', tag: 'HTTP' },
  websocket: { color: '#2f7fe0', dash: '', tag: 'WS' },
  mqtt: { color: '#16913f', dash: '', tag: 'MQTT' },
};

const MARGIN = { top: 36, right: 24, bottom: 16, left: 64 };
/** Narrow drawings keep less room for the time axis. */
const NARROW_LEFT = 56;
/**
 * Packets that leave one lane at the same moment (a TCP ACK and the data behind it, a pipelined
 * CONNECT and PUBLISH) would share one arrow: each is drawn this many pixels below the one before,
 * parallel to it, so each has its own arrow and label to click.
 */
export const SAME_MOMENT_GAP = 18;
/** Average width of one character of a 12 px label, for keeping labels inside the drawing. */
const LABEL_CHAR_PX = 6.6;

/** Vertical offset of each message (0 unless an earlier one left its lane at the same moment). */
export function sameMomentOffsets(messages: readonly SequenceMessage[]): number[] {
  const seen = new Map<string, number>();
  return messages.map((m) => {
    const slot = `${m.from}@${m.sentMs}`;
    const nth = seen.get(slot) ?? 0;
    seen.set(slot, nth + 1);
    return nth * SAME_MOMENT_GAP;
  });
}

/**
 * The packet that keyboard focus moves to from `currentId` on `key` (arrow keys step through
 * the visible packets in order; Home and End jump to the first and last), or null when the key
 * does not move focus.
 */
export function sequenceKeyTarget(messages: readonly SequenceMessage[], visibleCount: number, currentId: string | null, key: string): string | null {
  const visible = messages.slice(0, Math.max(0, visibleCount));
  if (visible.length === 0) return null;
  const at = visible.findIndex((m) => m.id === currentId);
  const last = visible.length - 1;
  switch (key) {
    case 'ArrowDown':
    case 'ArrowRight':
      return visible[at < 0 ? 0 : Math.min(last, at + 1)]!.id;
    case 'ArrowUp':
    case 'ArrowLeft':
      return visible[at < 0 ? last : Math.max(0, at - 1)]!.id;
    case 'Home':
      return visible[0]!.id;
    case 'End':
      return visible[last]!.id;
    default:
      return null;
  }
}

export function sequenceChart(lanes: SequenceLane[], messages: SequenceMessage[], options: SequenceOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 560);
  const left = width < NARROW_WIDTH ? NARROW_LEFT : MARGIN.left;
  const offsets = sameMomentOffsets(messages);
  const extra = Math.max(0, ...offsets);
  // A phone's drawing is narrow, so arrows are flat and labels long for it: give each packet more height.
  const perPacket = width < NARROW_WIDTH ? 42 : 34;
  const height = maybeNumber(options.height, Math.max(240, 60 + messages.length * perPacket) + extra);
  const visible = messages.slice(0, maybeNumber(options.visibleCount, messages.length));
  const svg = svgRoot(document, width, height, options.title ?? 'Sequence of packets', sequenceSummary(messages, options.visibleCount));
  // The packets are buttons: an image role would hide them from assistive technology.
  svg.setAttribute('role', 'group');
  svg.setAttribute('aria-label', options.title ?? 'Sequence of packets');

  const lastMs = Math.max(1, ...messages.map((m) => m.arrivedMs));
  const y = scaleLinear().domain([0, lastMs]).range([MARGIN.top + 8, height - MARGIN.bottom - extra]).nice();
  const laneX = new Map(lanes.map((lane, i) => [lane.id, left + 40 + (i * (width - left - MARGIN.right - 80)) / Math.max(1, lanes.length - 1)]));

  const axis = el(document, 'g', { class: 'axes', transform: `translate(${left},0)`, fill: 'currentColor' }, svg);
  select(axis).call(axisLeft(y).ticks(6).tickFormat((v) => `${v} ms`));
  legibleAxis(axis);

  const laneGroup = el(document, 'g', { class: 'lanes', fill: 'currentColor' }, svg);
  for (const lane of lanes) {
    const lx = laneX.get(lane.id)!;
    text(document, lane.label, { x: lx, y: 20, 'text-anchor': 'middle', 'font-weight': 'bold' }, laneGroup);
    el(document, 'line', { x1: lx, x2: lx, y1: MARGIN.top, y2: height - MARGIN.bottom, stroke: 'currentColor', 'stroke-opacity': 0.6 }, laneGroup);
  }

  const defs = el(document, 'defs', {}, svg);
  for (const [layer, style] of Object.entries(LAYER_STYLES)) {
    const m = el(document, 'marker', { id: `arrow-${layer}`, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
    el(document, 'path', { d: 'M0,0L10,5L0,10Z', fill: style.color }, m);
  }

  // One tab stop for the whole diagram (the selected packet, else the newest shown); the arrow
  // keys move between packets (`sequenceKeyTarget`), as in a toolbar or a listbox.
  const tabStop = visible.some((m) => m.id === options.selectedId) ? options.selectedId : visible.at(-1)?.id;
  const group = el(document, 'g', { class: 'messages' }, svg);
  visible.forEach((m, i) => {
    const style = LAYER_STYLES[m.layer];
    const x1 = laneX.get(m.from) ?? left;
    const x2 = m.lost ? (x1 + (laneX.get(m.to) ?? left)) / 2 : (laneX.get(m.to) ?? left);
    const y1 = y(m.sentMs) + offsets[i]!;
    const y2 = y(m.arrivedMs) + offsets[i]!;
    const selected = m.id === options.selectedId;
    const g = el(document, 'g', {
      class: selected ? 'msg selected' : 'msg',
      'data-id': m.id,
      role: 'button',
      tabindex: m.id === tabStop ? 0 : -1,
      'aria-pressed': selected ? 'true' : 'false',
      'aria-label': `${style.tag} ${m.label} · ${m.bytes} B: packet ${i + 1}, ${messageText(m, lanes)}`,
      cursor: 'pointer',
    }, group);
    // A wide transparent stroke makes the thin arrow easy to hit with a pointer (narrower than
    // SAME_MOMENT_GAP, so parallel arrows each keep their own).
    el(document, 'line', { x1, y1, x2, y2, stroke: 'transparent', 'stroke-width': SAME_MOMENT_GAP - 4 }, g);
    el(document, 'line', {
      x1, y1, x2, y2,
      stroke: style.color,
      'stroke-width': selected ? 3.5 : 2,
      'stroke-dasharray': style.dash || undefined,
      'marker-end': m.lost ? undefined : `url(#arrow-${m.layer})`,
    }, g);
    if (m.lost) text(document, '✗', { x: x2, y: y2 + 5, 'text-anchor': 'middle', fill: style.color, 'font-weight': 'bold' }, g);
    const content = `${style.tag} ${m.label}${m.lost ? ' (lost)' : ''} · ${m.bytes} B`;
    const labelWidth = content.length * LABEL_CHAR_PX;
    // Centred on the arrow, but kept inside the drawing (right of the time axis's line).
    const mx = Math.max(left + labelWidth / 2, Math.min(width - 4 - labelWidth / 2, (x1 + x2) / 2));
    const my = (y1 + y2) / 2 - 5;
    const label = text(document, content, {
      x: mx,
      y: my,
      'text-anchor': 'middle',
      fill: 'currentColor',
      'font-weight': selected ? 'bold' : undefined,
      'paint-order': 'stroke',
      stroke: '#fff', style: 'stroke: var(--wl-chart-bg, #fff)',
      'stroke-width': 4,
    }, g);
    label.setAttribute('class', 'msg-label');
    // Drawn only while the packet has keyboard focus (the page's CSS strokes it): a focus
    // indicator that does not depend on the arrow, which other packets may overlap.
    el(document, 'rect', { class: 'focus-ring', x: mx - labelWidth / 2 - 5, y: my - 13, width: labelWidth + 10, height: 18, rx: 3, fill: 'none', stroke: 'none', 'stroke-width': 2 }, g);
  });
  return svg;
}

function laneLabel(lanes: SequenceLane[], id: string): string {
  return lanes.find((l) => l.id === id)?.label ?? id;
}

/** "CONNACK, MQTT, broker to client, 58 bytes, sent at 75 ms, arrived at 100 ms". */
export function messageText(m: SequenceMessage, lanes: SequenceLane[]): string {
  return `${m.label}, ${LAYER_STYLES[m.layer].tag}, ${laneLabel(lanes, m.from)} to ${laneLabel(lanes, m.to)}, ${formatBytes(m.bytes)}, sent at ${round(m.sentMs)} ms, ${m.lost ? 'never arrived' : `arrived at ${round(m.arrivedMs)} ms`}`;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/** One sentence for the step the reader is on. */
export function sequenceSummary(messages: SequenceMessage[], visibleCount?: number): string {
  const n = Math.min(messages.length, visibleCount ?? messages.length);
  if (n === 0) return messages.length === 0 ? 'No packets yet.' : `Step 0 of ${messages.length}: nothing sent yet.`;
  const shown = messages.slice(0, n);
  const last = shown[n - 1]!;
  const bytes = shown.reduce((sum, m) => sum + m.bytes, 0);
  const fate = last.lost ? `is lost after ${round(last.sentMs)} ms` : `arrives at ${round(last.arrivedMs)} ms`;
  return `Step ${n} of ${messages.length}: ${last.label} ${fate}; ${formatBytes(bytes)} on the wire so far.`;
}

/** The table twin: one row per packet. */
export function sequenceTable(lanes: SequenceLane[], messages: SequenceMessage[], caption = 'Packets in order'): ChartTable {
  return {
    caption,
    columns: ['#', 'Packet', 'Layer', 'From', 'To', 'Sent (ms)', 'Arrived (ms)', 'Bytes'],
    rows: messages.map((m, i) => [i + 1, m.label, LAYER_STYLES[m.layer].tag, laneLabel(lanes, m.from), laneLabel(lanes, m.to), round(m.sentMs), m.lost ? 'never arrived' : round(m.arrivedMs), m.bytes]),
  };
}
