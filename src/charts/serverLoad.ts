/**
 * What one hub holds as devices are added (chapter 10): TCP connections, armed TCP timers
 * (retransmit and delayed ACK) and MQTT messages queued or in flight, each the mean over the
 * measured window, against the number of devices. Both axes are logarithmic; the y axis is a
 * symmetric log so that the zeros of an idle server are drawn on the axis rather than left out.
 * The broker's lines are solid, the WebSocket server's dashed, so colour is never needed alone.
 */
import { axisBottom, axisLeft, line, scaleLog, scaleSymlog, select } from 'd3';
import { type ChartContext, chartWidth, CHAR_PX, el, legibleAxis, marker, NARROW_WIDTH, SERIES_STYLES, svgRoot, text, wrapWords } from './common.ts';
import { logTicks } from './latencyCdf.ts';
import type { ChartTable } from './table.ts';

/** One device count: what each hub held on average. */
export interface ServerLoadChartPoint {
  devices: number;
  mqtt: { connections: number; timers: number; messages: number };
  ws: { connections: number; timers: number; messages: number };
}

export interface ServerLoadChartOptions {
  width?: number;
  title?: string;
}

const QUANTITIES = [
  { key: 'connections', label: 'TCP connections', style: 0 },
  { key: 'timers', label: 'armed TCP timers', style: 1 },
  { key: 'messages', label: 'messages queued or in flight', style: 2 },
] as const;
const HUBS = [
  { key: 'mqtt', label: 'MQTT broker', dash: '' },
  { key: 'ws', label: 'WebSocket server', dash: '7 4' },
] as const;

const MARGIN = { top: 14, right: 18, bottom: 46, left: 64 };
const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 1 : 0 });

export function serverLoadChart(points: ServerLoadChartPoint[], options: ServerLoadChartOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  const plotBottom = MARGIN.top + (narrow ? 220 : 280);
  const legendTop = plotBottom + 62;
  const legendChars = Math.max(16, Math.floor((width - 60) / CHAR_PX));
  const entries = HUBS.flatMap((h) => QUANTITIES.map((q) => ({ hub: h, q, lines: wrapWords(`${q.label}, ${h.label}`, legendChars) })));
  const height = legendTop + entries.reduce((n, e) => n + e.lines.length * 16 + 4, 0);
  const svg = svgRoot(document, width, height, options.title ?? 'What the hub holds against the number of devices', serverLoadSummary(points));
  const xs = points.map((p) => p.devices);
  const xLo = Math.min(1, ...xs);
  const xHi = Math.max(10, ...xs);
  const yHi = Math.max(10, ...points.flatMap((p) => [p.mqtt, p.ws].flatMap((h) => [h.connections, h.timers, h.messages])));
  const x = scaleLog().domain([xLo * 0.8, xHi * 1.25]).range([MARGIN.left, width - MARGIN.right]);
  const y = scaleSymlog().constant(1).domain([0, yHi * 1.4]).range([plotBottom, MARGIN.top]);

  const axes = el(document, 'g', { class: 'axes', fill: 'currentColor' }, svg);
  const xAxis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, axes);
  select(xAxis).call(axisBottom(x).tickValues(logTicks(xLo, xHi).filter((v) => !narrow || [1, 10, 100, 1000, 10000].includes(v))).tickFormat((v) => fmt(Number(v))));
  legibleAxis(xAxis);
  const yAxis = el(document, 'g', { transform: `translate(${MARGIN.left},0)` }, axes);
  const yTicks = [0, 1, 10, 100, 1000, 10000, 100000].filter((v) => v <= yHi * 1.4);
  select(yAxis).call(axisLeft(y).tickValues(yTicks).tickFormat((v) => fmt(Number(v))));
  legibleAxis(yAxis);
  text(document, 'devices (log scale)', { x: (MARGIN.left + width - MARGIN.right) / 2, y: plotBottom + 36, 'text-anchor': 'middle' }, axes);
  text(document, 'held, mean over 10 s (log scale)', { transform: `translate(13,${(MARGIN.top + plotBottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, axes);

  const path = line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1]));
  for (const h of HUBS) {
    for (const q of QUANTITIES) {
      const style = SERIES_STYLES[q.style]!;
      const data = points.map((pt) => [pt.devices, pt[h.key][q.key]] as [number, number]);
      const g = el(document, 'g', { 'data-series': `${h.key}-${q.key}` }, svg);
      el(document, 'path', { d: path(data) ?? '', fill: 'none', stroke: style.color, 'stroke-width': 2, 'stroke-dasharray': h.dash || undefined }, g);
      for (const [n, v] of data) marker(document, style.marker, x(n), y(v), style.color, g);
    }
  }

  const legend = el(document, 'g', { class: 'legend', fill: 'currentColor' }, svg);
  let top = legendTop;
  for (const e of entries) {
    const style = SERIES_STYLES[e.q.style]!;
    el(document, 'line', { x1: 8, x2: 36, y1: top, y2: top, stroke: style.color, 'stroke-width': 2, 'stroke-dasharray': e.hub.dash || undefined }, legend);
    marker(document, style.marker, 22, top, style.color, legend);
    e.lines.forEach((l, i) => text(document, l, { x: 44, y: top + 4 + i * 16 }, legend));
    top += e.lines.length * 16 + 4;
  }
  return svg;
}

export function serverLoadSummary(points: ServerLoadChartPoint[]): string {
  if (points.length === 0) return 'No runs yet.';
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const words = (h: 'mqtt' | 'ws') => {
    const a = first[h];
    const b = last[h];
    return `the ${h === 'mqtt' ? 'broker' : 'server'} held ${fmt(a.connections)} → ${fmt(b.connections)} connections, ${fmt(a.timers)} → ${fmt(b.timers)} armed TCP timers and ${fmt(a.messages)} → ${fmt(b.messages)} messages queued or in flight`;
  };
  return `From ${fmt(first.devices)} to ${fmt(last.devices)} devices, on average over the window: ${words('mqtt')}; ${words('ws')}.`;
}

export function serverLoadTable(points: ServerLoadChartPoint[]): ChartTable {
  return {
    caption: 'What each hub held on average over the measured window, by number of devices',
    columns: ['devices', 'MQTT connections', 'MQTT armed TCP timers', 'MQTT messages queued or in flight', 'WebSocket connections', 'WebSocket armed TCP timers', 'WebSocket messages held'],
    rows: points.map((p) => [p.devices, fmt(p.mqtt.connections), fmt(p.mqtt.timers), fmt(p.mqtt.messages), fmt(p.ws.connections), fmt(p.ws.timers), fmt(p.ws.messages)]),
  };
}
