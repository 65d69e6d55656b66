/**
 * Where the cost of one-to-many goes (chapter 8): bytes per published message on the publisher's,
 * the hub's and one subscriber's link, against the number of subscribers, log-log. On these axes a
 * cost that grows in proportion to N is a straight line of slope 1 and a constant one is flat. The
 * MQTT broker's lines are solid, the WebSocket server's dashed, so colour is never needed alone.
 */
import { axisBottom, axisLeft, line, scaleLog, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, marker, NARROW_WIDTH, SERIES_STYLES, svgRoot, text, wrapWords, CHAR_PX } from './common.ts';
import { logTicks } from './latencyCdf.ts';
import type { ChartTable } from './table.ts';

/** One subscriber count and what each place's link carried per message, both directions, bytes. */
export interface FanoutChartPoint {
  subscribers: number;
  mqtt: { publisher: number; hub: number; subscriber: number };
  ws: { publisher: number; hub: number; subscriber: number };
}

export interface FanoutChartOptions {
  width?: number;
  title?: string;
}

const PLACES = [
  { key: 'hub', label: 'broker / server', style: 0 },
  { key: 'publisher', label: 'publisher', style: 1 },
  { key: 'subscriber', label: 'one subscriber', style: 2 },
] as const;
const HUBS = [
  { key: 'mqtt', label: 'MQTT broker', dash: '' },
  { key: 'ws', label: 'WebSocket server, one room', dash: '7 4' },
] as const;

const MARGIN = { top: 14, right: 18, bottom: 46, left: 70 };
const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });

export function fanoutCostChart(points: FanoutChartPoint[], options: FanoutChartOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  const plotBottom = MARGIN.top + (narrow ? 220 : 280);
  const legendTop = plotBottom + 62;
  const legendChars = Math.max(16, Math.floor((width - 60) / CHAR_PX));
  const entries = HUBS.flatMap((h) => PLACES.map((p) => ({ hub: h, place: p, lines: wrapWords(`${p.label}, ${h.label}`, legendChars) })));
  const height = legendTop + entries.reduce((n, e) => n + e.lines.length * 16 + 4, 0);
  const svg = svgRoot(document, width, height, options.title ?? 'Bytes per published message against the number of subscribers', fanoutCostSummary(points));
  const xs = points.map((p) => p.subscribers);
  const values = points.flatMap((p) => [p.mqtt, p.ws].flatMap((h) => [h.publisher, h.hub, h.subscriber])).filter((v) => v > 0);
  const xHi = Math.max(10, ...xs);
  const x = scaleLog().domain([0.8, xHi * 1.25]).range([MARGIN.left, width - MARGIN.right]);
  const y = scaleLog().domain([Math.min(...values, 50) * 0.7, Math.max(...values, 1000) * 1.4]).range([plotBottom, MARGIN.top]);

  const axes = el(document, 'g', { class: 'axes', fill: 'currentColor' }, svg);
  const xAxis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, axes);
  select(xAxis).call(axisBottom(x).tickValues(logTicks(1, xHi).filter((v) => !narrow || [1, 10, 100, 1000, 10000].includes(v))).tickFormat((v) => fmt(Number(v))));
  legibleAxis(xAxis);
  const yAxis = el(document, 'g', { transform: `translate(${MARGIN.left},0)` }, axes);
  const [ylo, yhi] = y.domain() as [number, number];
  select(yAxis).call(axisLeft(y).tickValues(logTicks(ylo, yhi).filter((v) => !narrow || String(v).startsWith('1'))).tickFormat((v) => fmt(Number(v))));
  legibleAxis(yAxis);
  text(document, 'subscribers (log scale)', { x: (MARGIN.left + width - MARGIN.right) / 2, y: plotBottom + 36, 'text-anchor': 'middle' }, axes);
  text(document, 'bytes per message (log scale)', { transform: `translate(13,${(MARGIN.top + plotBottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, axes);

  const path = line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1]));
  for (const h of HUBS) {
    for (const p of PLACES) {
      const style = SERIES_STYLES[p.style]!;
      const data = points.map((pt) => [pt.subscribers, pt[h.key][p.key]] as [number, number]).filter(([, v]) => v > 0);
      const g = el(document, 'g', { 'data-series': `${h.key}-${p.key}` }, svg);
      el(document, 'path', { d: path(data) ?? '', fill: 'none', stroke: style.color, 'stroke-width': 2, 'stroke-dasharray': h.dash || undefined }, g);
      for (const [n, v] of data) marker(document, style.marker, x(n), y(v), style.color, g);
    }
  }

  const legend = el(document, 'g', { class: 'legend', fill: 'currentColor' }, svg);
  let top = legendTop;
  for (const e of entries) {
    const style = SERIES_STYLES[e.place.style]!;
    el(document, 'line', { x1: 8, x2: 36, y1: top, y2: top, stroke: style.color, 'stroke-width': 2, 'stroke-dasharray': e.hub.dash || undefined }, legend);
    marker(document, style.marker, 22, top, style.color, legend);
    e.lines.forEach((l, i) => text(document, l, { x: 44, y: top + 4 + i * 16 }, legend));
    top += e.lines.length * 16 + 4;
  }
  return svg;
}

/** The place's cost is the same at every subscriber count, for both hubs. */
const flat = (points: FanoutChartPoint[], place: 'publisher' | 'subscriber') => points.every((p) => p.mqtt[place] === points[0]!.mqtt[place] && p.ws[place] === points[0]!.ws[place]);

export function fanoutCostSummary(points: FanoutChartPoint[]): string {
  if (points.length === 0) return 'No runs yet.';
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const growth = (h: 'mqtt' | 'ws') => `the ${h === 'mqtt' ? 'broker' : 'server'}'s link carried ${fmt(first[h].hub)} bytes per message at ${fmt(first.subscribers)} and ${fmt(last[h].hub)} at ${fmt(last.subscribers)}`;
  return `Bytes per published message from ${fmt(first.subscribers)} to ${fmt(last.subscribers)} subscribers: ${growth('mqtt')}; ${growth('ws')}. ` +
    `The publisher's link carried ${fmt(last.mqtt.publisher)} bytes (MQTT) and ${fmt(last.ws.publisher)} (WebSocket) at ${flat(points, 'publisher') ? 'every count' : `${fmt(last.subscribers)}`}, and each subscriber's ${fmt(last.mqtt.subscriber)} and ${fmt(last.ws.subscriber)}.` +
    (last.mqtt.publisher === last.mqtt.subscriber ? ' For MQTT the publisher\'s and one subscriber\'s lines lie on top of each other: each of their links carries one copy of the message one way and one acknowledgement the other.' : '');
}

export function fanoutCostTable(points: FanoutChartPoint[]): ChartTable {
  return {
    caption: 'Bytes per published message on each link (both directions), by number of subscribers',
    columns: ['subscribers', 'MQTT publisher', 'MQTT broker', 'MQTT one subscriber', 'WebSocket publisher', 'WebSocket server', 'WebSocket one subscriber'],
    rows: points.map((p) => [p.subscribers, fmt(p.mqtt.publisher), fmt(p.mqtt.hub), fmt(p.mqtt.subscriber), fmt(p.ws.publisher), fmt(p.ws.hub), fmt(p.ws.subscriber)]),
  };
}
