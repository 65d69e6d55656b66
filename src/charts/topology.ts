/**
 * Chapter 1's chart: a small network drawn as boxes and links, each link labelled with the
 * packets and bytes that crossed it in each direction, and the packets in flight drawn as dots
 * along their link, above the boxes so a packet leaving or reaching a node stays visible. The
 * wrapper animates by calling it again with new counters and dots; with reduced motion it calls
 * it without dots.
 *
 * Drawn at its container's width. Below NARROW_WIDTH (a phone) the picture turns a quarter:
 * what was left to right runs top to bottom, so three nodes side by side still fit with their
 * labels at full size, and each link's counters sit just above the box the link leads to.
 */
import { type ChartContext, chartWidth, el, maybeNumber, MIN_FONT_PX, NARROW_WIDTH, svgRoot, text } from './common.ts';
import type { ChartTable } from './table.ts';

export interface TopologyNode {
  id: string;
  label: string;
  /** Position as a fraction of the chart's width and height (0..1). */
  x: number;
  y: number;
  /** A second line under the label ("broker", "server", "subscriber"). */
  role?: string;
}

export interface DirectionCount {
  /** Packets (and their bytes) counted on this line in this direction. */
  packets: number;
  bytes: number;
  /**
   * When given, `packets` and `bytes` count the packets that arrived, and these the ones still on
   * the line and the ones it dropped; the chart then heads the picture with the three totals.
   */
  inFlight?: number;
  dropped?: number;
}

export interface TopologyLink {
  id: string;
  a: string;
  b: string;
  /** Traffic from a to b and from b to a, counted so far. */
  ab: DirectionCount;
  ba: DirectionCount;
}

export interface TopologyDot {
  link: string;
  dir: 'ab' | 'ba';
  /** 0 at the sending end, 1 at the receiving end. */
  progress: number;
  /** 'data' carries application bytes; 'control' is a handshake, ACK or acknowledgement packet. */
  kind: 'data' | 'control';
  /** Part of the reading the reader follows: drawn larger, with a ring. */
  highlight?: boolean;
}

export interface TopologyOptions {
  width?: number;
  height?: number;
  title?: string;
  dots?: TopologyDot[];
}

const NODE_W = 112;
const NODE_H = 40;
/** Room above the picture for the totals line. */
const HEADER_H = 22;
export const DOT_STYLES = { data: { color: '#2f7fe0', r: 6 }, control: { color: '#c8570a', r: 4 } } as const;
/** A followed packet's dot: this much larger, ringed in the text colour. */
export const HIGHLIGHT_GROWTH = 3;

/** Where each node's centre is drawn, and how wide its box is. */
export function topologyLayout(nodes: TopologyNode[], width: number, height: number, top = 0): { narrow: boolean; nodeWidth: number; positions: Map<string, { x: number; y: number }> } {
  const narrow = width < NARROW_WIDTH;
  // Narrow: the picture turned a quarter, so a node's x fraction becomes its row.
  const fx = (n: TopologyNode) => (narrow ? n.y : n.x);
  const fy = (n: TopologyNode) => (narrow ? n.x : n.y);
  const perRow = new Map<number, number>();
  for (const n of nodes) perRow.set(fy(n), (perRow.get(fy(n)) ?? 0) + 1);
  const mostInARow = Math.max(1, ...perRow.values());
  // Boxes in one row keep 8 px between them and 6 px from the edges.
  const nodeWidth = Math.min(NODE_W, Math.floor((width - 12 - 8 * (mostInARow - 1)) / mostInARow));
  const pad = { x: nodeWidth / 2 + 6, y: NODE_H / 2 + 6 };
  const positions = new Map(nodes.map((n) => [n.id, { x: pad.x + fx(n) * (width - 2 * pad.x), y: top + pad.y + fy(n) * (height - top - 2 * pad.y) }]));
  return { narrow, nodeWidth, positions };
}

/** The arrow that points along (dx, dy) on the page, by its larger component. */
export function arrow(dx: number, dy: number): string {
  if (Math.abs(dx) >= Math.abs(dy)) return dx >= 0 ? '→' : '←';
  return dy >= 0 ? '↓' : '↑';
}

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "2 on the way · 14 arrived (840 B) · 1 dropped", when the links count arrivals apart. */
export function topologyTotals(links: TopologyLink[]): string | null {
  const counts = links.flatMap((l) => [l.ab, l.ba]);
  if (!counts.some((c) => c.inFlight !== undefined)) return null;
  const sum = (f: (c: DirectionCount) => number) => counts.reduce((s, c) => s + f(c), 0);
  const dropped = sum((c) => c.dropped ?? 0);
  return `${fmtCount(sum((c) => c.inFlight ?? 0))} on the way · ${fmtCount(sum((c) => c.packets))} arrived (${fmtCount(sum((c) => c.bytes))} B)` +
    (dropped > 0 ? ` · ${fmtCount(dropped)} dropped` : '');
}

export function topologyChart(nodes: TopologyNode[], links: TopologyLink[], options: TopologyOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  const totals = topologyTotals(links);
  const top = totals === null ? 0 : HEADER_H;
  const height = maybeNumber(options.height, (narrow ? 420 : 300) + top);
  const svg = svgRoot(document, width, height, options.title ?? 'Network', topologySummary(links, nodes));
  const { nodeWidth, positions: pos } = topologyLayout(nodes, width, height, top);
  if (totals !== null) text(document, totals, { class: 'totals', x: 6, y: 15, fill: 'currentColor' }, svg);

  const linkGroup = el(document, 'g', { class: 'links' }, svg);
  for (const link of links) {
    const a = pos.get(link.a);
    const b = pos.get(link.b);
    if (!a || !b) continue;
    const g = el(document, 'g', { class: 'link', 'data-link': link.id }, linkGroup);
    el(document, 'line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: 'currentColor', 'stroke-opacity': 0.55, 'stroke-width': 2 }, g);
    // Wide: the counters at the line's middle. Narrow: just above the box the line leads to,
    // where each has its box's column to itself.
    const mx = narrow ? b.x : (a.x + b.x) / 2;
    const my = narrow ? b.y - NODE_H / 2 - 20 : (a.y + b.y) / 2 - 8;
    const label = text(document, '', { x: mx, y: my, 'text-anchor': 'middle', fill: 'currentColor', 'font-size': MIN_FONT_PX, 'paint-order': 'stroke', stroke: '#fff', style: 'stroke: var(--wl-chart-bg, #fff)', 'stroke-width': 4 }, g);
    label.setAttribute('class', 'counter');
    const l1 = el(document, 'tspan', { x: mx, dy: 0 }, label);
    l1.textContent = `${arrow(b.x - a.x, b.y - a.y)} ${fmtCount(link.ab.packets)} pkt · ${fmtCount(link.ab.bytes)} B`;
    const l2 = el(document, 'tspan', { x: mx, dy: narrow ? 13 : 22 }, label);
    l2.textContent = `${arrow(a.x - b.x, a.y - b.y)} ${fmtCount(link.ba.packets)} pkt · ${fmtCount(link.ba.bytes)} B`;
  }

  const nodeGroup = el(document, 'g', { class: 'nodes' }, svg);
  for (const n of nodes) {
    const p = pos.get(n.id)!;
    const g = el(document, 'g', { class: 'node', 'data-node': n.id }, nodeGroup);
    el(document, 'rect', { x: p.x - nodeWidth / 2, y: p.y - NODE_H / 2, width: nodeWidth, height: NODE_H, rx: 6, fill: '#fff', style: 'fill: var(--wl-chart-bg, #fff)', stroke: 'currentColor', 'stroke-width': 1.5 }, g);
    text(document, n.label, { x: p.x, y: n.role ? p.y - 3 : p.y + 4, 'text-anchor': 'middle', fill: 'currentColor', 'font-weight': 'bold' }, g);
    if (n.role) text(document, n.role, { x: p.x, y: p.y + 12, 'text-anchor': 'middle', fill: 'currentColor', 'font-size': MIN_FONT_PX }, g);
  }

  // Dots last: above the boxes, so a packet is visible as it leaves and as it arrives.
  const dots = el(document, 'g', { class: 'dots', 'aria-hidden': 'true' }, svg);
  for (const dot of options.dots ?? []) {
    const link = links.find((l) => l.id === dot.link);
    if (!link) continue;
    const from = pos.get(dot.dir === 'ab' ? link.a : link.b);
    const to = pos.get(dot.dir === 'ab' ? link.b : link.a);
    if (!from || !to) continue;
    const p = Math.min(1, Math.max(0, dot.progress));
    const style = DOT_STYLES[dot.kind];
    const cx = from.x + (to.x - from.x) * p;
    const cy = from.y + (to.y - from.y) * p;
    const r = style.r + (dot.highlight ? HIGHLIGHT_GROWTH : 0);
    // A followed packet is ringed in the text colour: it stands out without relying on colour.
    const edge = dot.highlight
      ? { stroke: 'currentColor', 'stroke-width': 2.5, class: 'followed' }
      : { stroke: '#fff', style: 'stroke: var(--wl-chart-bg, #fff)', 'stroke-width': 1.5 };
    if (dot.kind === 'data') el(document, 'circle', { cx, cy, r, fill: style.color, ...edge }, dots);
    else el(document, 'rect', { x: cx - r, y: cy - r, width: 2 * r, height: 2 * r, fill: style.color, ...edge }, dots);
  }
  return svg;
}
function nodeLabel(nodes: TopologyNode[], id: string): string {
  return nodes.find((n) => n.id === id)?.label ?? id;
}

/** Totals in one sentence: how many packets and bytes crossed all links so far. */
export function topologySummary(links: TopologyLink[], nodes: TopologyNode[] = []): string {
  const packets = links.reduce((s, l) => s + l.ab.packets + l.ba.packets, 0);
  const bytes = links.reduce((s, l) => s + l.ab.bytes + l.ba.bytes, 0);
  const counted = links.flatMap((l) => [l.ab, l.ba]);
  if (counted.some((c) => c.inFlight !== undefined)) {
    // Counters of arrivals: say what is on the way apart from what arrived.
    const onTheWay = counted.reduce((s, c) => s + (c.inFlight ?? 0), 0);
    const dropped = counted.reduce((s, c) => s + (c.dropped ?? 0), 0);
    const parts = [`${onTheWay.toLocaleString('en-US')} ${onTheWay === 1 ? 'packet is' : 'packets are'} on the way`,
      `${packets.toLocaleString('en-US')} ${packets === 1 ? 'has' : 'have'} arrived (${bytes.toLocaleString('en-US')} bytes)`];
    if (dropped > 0) parts.push(`${dropped.toLocaleString('en-US')} ${dropped === 1 ? 'was' : 'were'} dropped`);
    return `${parts.join('; ')}.`;
  }
  if (packets === 0) return 'No packets have crossed a link yet.';
  const busiest = links.reduce((a, b) => (b.ab.bytes + b.ba.bytes > a.ab.bytes + a.ba.bytes ? b : a));
  return `${packets.toLocaleString('en-US')} packets and ${bytes.toLocaleString('en-US')} bytes have crossed ${links.length} links; the busiest is ${nodeLabel(nodes, busiest.a)}–${nodeLabel(nodes, busiest.b)} with ${(busiest.ab.bytes + busiest.ba.bytes).toLocaleString('en-US')} bytes.`;
}

/** The table twin: one row per link and direction. */
export function topologyTable(nodes: TopologyNode[], links: TopologyLink[], caption = 'Traffic per link'): ChartTable {
  return {
    caption,
    columns: ['From', 'To', 'Packets', 'Bytes'],
    rows: links.flatMap((l) => [
      [nodeLabel(nodes, l.a), nodeLabel(nodes, l.b), l.ab.packets, l.ab.bytes],
      [nodeLabel(nodes, l.b), nodeLabel(nodes, l.a), l.ba.packets, l.ba.bytes],
    ]),
  };
}
