/**
 * Chapter 1's chart: a small network drawn as boxes and links, each link labelled with the
 * packets and bytes that crossed it in each direction, and the packets in flight drawn as dots
 * along their link. The wrapper animates by calling it again with new counters and dots; with
 * reduced motion it calls it without dots.
 */
import { type ChartContext, el, maybeNumber, svgRoot, text } from './common.ts';
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
  packets: number;
  bytes: number;
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
}

export interface TopologyOptions {
  width?: number;
  height?: number;
  title?: string;
  dots?: TopologyDot[];
}

const NODE_W = 112;
const NODE_H = 40;
export const DOT_STYLES = { data: { color: '#2f7fe0', r: 6 }, control: { color: '#c8570a', r: 4 } } as const;

export function topologyChart(nodes: TopologyNode[], links: TopologyLink[], options: TopologyOptions, { document }: ChartContext): SVGSVGElement {
  const width = maybeNumber(options.width, 680);
  const height = maybeNumber(options.height, 300);
  const svg = svgRoot(document, width, height, options.title ?? 'Network', topologySummary(links, nodes));
  const pad = { x: NODE_W / 2 + 6, y: NODE_H / 2 + 6 };
  const pos = new Map(nodes.map((n) => [n.id, { x: pad.x + n.x * (width - 2 * pad.x), y: pad.y + n.y * (height - 2 * pad.y) }]));

  const linkGroup = el(document, 'g', { class: 'links' }, svg);
  for (const link of links) {
    const a = pos.get(link.a);
    const b = pos.get(link.b);
    if (!a || !b) continue;
    const g = el(document, 'g', { class: 'link', 'data-link': link.id }, linkGroup);
    el(document, 'line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: 'currentColor', 'stroke-opacity': 0.55, 'stroke-width': 2 }, g);
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2;
    const label = text(document, '', { x: mx, y: my - 8, 'text-anchor': 'middle', fill: 'currentColor', 'font-size': 11, 'paint-order': 'stroke', stroke: '#fff', style: 'stroke: var(--wl-chart-bg, #fff)', 'stroke-width': 4 }, g);
    label.setAttribute('class', 'counter');
    const l1 = el(document, 'tspan', { x: mx, dy: 0 }, label);
    l1.textContent = `→ ${link.ab.packets} pkt · ${link.ab.bytes} B`;
    const l2 = el(document, 'tspan', { x: mx, dy: 22 }, label);
    l2.textContent = `← ${link.ba.packets} pkt · ${link.ba.bytes} B`;
  }

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
    if (dot.kind === 'data') el(document, 'circle', { cx, cy, r: style.r, fill: style.color, stroke: '#fff', style: 'stroke: var(--wl-chart-bg, #fff)', 'stroke-width': 1.5 }, dots);
    else el(document, 'rect', { x: cx - style.r, y: cy - style.r, width: 2 * style.r, height: 2 * style.r, fill: style.color, stroke: '#fff', style: 'stroke: var(--wl-chart-bg, #fff)', 'stroke-width': 1.5 }, dots);
  }

  const nodeGroup = el(document, 'g', { class: 'nodes' }, svg);
  for (const n of nodes) {
    const p = pos.get(n.id)!;
    const g = el(document, 'g', { class: 'node', 'data-node': n.id }, nodeGroup);
    el(document, 'rect', { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2, width: NODE_W, height: NODE_H, rx: 6, fill: '#fff', style: 'fill: var(--wl-chart-bg, #fff)', stroke: 'currentColor', 'stroke-width': 1.5 }, g);
    text(document, n.label, { x: p.x, y: n.role ? p.y - 3 : p.y + 4, 'text-anchor': 'middle', fill: 'currentColor', 'font-weight': 'bold' }, g);
    if (n.role) text(document, n.role, { x: p.x, y: p.y + 12, 'text-anchor': 'middle', fill: 'currentColor', 'font-size': 10 }, g);
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
