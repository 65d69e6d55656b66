/**
 * Radio-on time per reading, one horizontal bar per protocol, split into its three parts: airtime
 * (sending and receiving the bits), waiting for answers inside a wake-up (round trips), and the
 * inactivity timer after each wake-up (the tail). Parts are told apart by pattern and label as
 * well as colour, so colour never carries meaning alone.
 */
import { axisBottom, scaleLinear, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, NARROW_WIDTH, seriesStyle, svgRoot, text } from './common.ts';
import type { ChartTable } from './table.ts';

export interface RadioBar {
  id: string;
  label: string;
  airtimeS: number;
  waitingS: number;
  tailS: number;
  wakeups: number;
}

export interface RadioChartOptions {
  width?: number;
  title?: string;
}

const PARTS = [
  { key: 'airtimeS', name: 'airtime (bytes at the link rate)', style: 0 },
  { key: 'waitingS', name: 'waiting for answers (round trips)', style: 1 },
  { key: 'tailS', name: 'tail after each wake-up', style: 2 },
] as const;

const s = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: v < 1 ? 3 : 2 });

export function radioOnChart(bars: RadioBar[], options: RadioChartOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  const left = narrow ? 92 : 110;
  const right = 16;
  const barH = 22;
  const gap = 14;
  const top = 22;
  const plotBottom = top + bars.length * (barH + gap);
  const legendTop = plotBottom + 52;
  const height = legendTop + PARTS.length * 20;
  const svg = svgRoot(document, width, height, options.title ?? 'Radio on per reading', radioOnSummary(bars));
  const total = (b: RadioBar) => b.airtimeS + b.waitingS + b.tailS;
  const max = Math.max(1, ...bars.map(total));
  const x = scaleLinear().domain([0, max * 1.05]).nice().range([left, width - right]);

  const defs = el(document, 'defs', {}, svg);
  // Hatching for the waiting part, so it differs from the others without colour.
  const pattern = el(document, 'pattern', { id: 'wl-radio-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, defs);
  el(document, 'rect', { width: 6, height: 6, fill: seriesStyle(1).color }, pattern);
  el(document, 'line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#ffffff', 'stroke-width': 2, 'stroke-opacity': 0.6 }, pattern);
  const fillOf = (i: number) => (i === 1 ? 'url(#wl-radio-hatch)' : seriesStyle(PARTS[i]!.style).color);

  const axes = el(document, 'g', { class: 'axes', fill: 'currentColor' }, svg);
  const xAxis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, axes);
  select(xAxis).call(axisBottom(x).ticks(narrow ? 4 : 8).tickFormat((v) => s(Number(v))));
  legibleAxis(xAxis);
  text(document, 'seconds of radio on, per reading', { x: (left + width - right) / 2, y: plotBottom + 36, 'text-anchor': 'middle' }, axes);

  bars.forEach((b, row) => {
    const y = top + row * (barH + gap);
    const g = el(document, 'g', { 'data-bar': b.id }, svg);
    text(document, b.label, { x: left - 8, y: y + barH / 2 + 4, 'text-anchor': 'end', fill: 'currentColor' }, g);
    let at = 0;
    PARTS.forEach((part, i) => {
      const v = b[part.key];
      if (v <= 0) return;
      el(document, 'rect', { x: x(at), y, width: Math.max(0.5, x(at + v) - x(at)), height: barH, fill: fillOf(i), 'data-part': part.key }, g);
      at += v;
    });
    text(document, `${s(total(b))} s`, { x: Math.min(x(at) + 4, width - right - 40), y: y - 2, fill: 'currentColor' }, g);
  });

  const legend = el(document, 'g', { class: 'legend', fill: 'currentColor' }, svg);
  PARTS.forEach((part, i) => {
    const y = legendTop + i * 20;
    el(document, 'rect', { x: 8, y: y - 8, width: 24, height: 12, fill: fillOf(i) }, legend);
    text(document, part.name, { x: 40, y: y + 2 }, legend);
  });
  return svg;
}

export function radioOnSummary(bars: RadioBar[]): string {
  return 'Radio on per reading: ' + bars.map((b) => `${b.label} ${s(b.airtimeS + b.waitingS + b.tailS)} s (${s(b.airtimeS)} s airtime, ${s(b.waitingS)} s waiting, ${s(b.tailS)} s of tail over ${s(b.wakeups)} wake-ups)`).join('; ') + '.';
}

export function radioOnTable(bars: RadioBar[]): ChartTable {
  return {
    caption: 'Radio on per reading, by part (seconds)',
    columns: ['protocol', 'airtime (s)', 'waiting for answers (s)', 'tail (s)', 'total (s)', 'wake-ups per reading'],
    rows: bars.map((b) => [b.label, s(b.airtimeS), s(b.waitingS), s(b.tailS), s(b.airtimeS + b.waitingS + b.tailS), s(b.wakeups)]),
  };
}
