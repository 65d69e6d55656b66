/**
 * A bulk transfer's goodput at several loss rates beside the Mathis et al. curve, on log-log axes
 * (where Mathis's MSS / RTT x 1.22 / sqrt(p) is a straight line), with the link's rate as a
 * ceiling. Simulated points are markers on a solid line; the model is dashed.
 */
import { axisBottom, axisLeft, line, scaleLog, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, marker, NARROW_WIDTH, seriesStyle, svgRoot, text } from './common.ts';
import { logTicks } from './latencyCdf.ts';
import type { ChartTable } from './table.ts';

export interface GoodputChartPoint {
  lossPct: number;
  goodputKbps: number | null;
  mathisKbps: number;
}

export interface GoodputChartOptions {
  width?: number;
  title?: string;
  /** Name of the congestion control the points were measured with. */
  congestion: string;
  linkKbps: number;
}

const MARGIN = { top: 14, right: 18, bottom: 46, left: 62 };
const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });

export function goodputCurveChart(points: GoodputChartPoint[], options: GoodputChartOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  const plotBottom = MARGIN.top + (narrow ? 220 : 280);
  const legendTop = plotBottom + 60;
  const height = legendTop + 3 * 20;
  const svg = svgRoot(document, width, height, options.title ?? 'Goodput against loss', goodputCurveSummary(points, options.congestion));
  const values = points.flatMap((p) => [p.goodputKbps ?? 0, p.mathisKbps]).filter((v) => v > 0);
  const lossLo = Math.min(...points.map((p) => p.lossPct)) * 0.8;
  const lossHi = Math.max(...points.map((p) => p.lossPct)) * 1.2;
  const x = scaleLog().domain([lossLo, lossHi]).range([MARGIN.left, width - MARGIN.right]);
  const y = scaleLog().domain([Math.min(...values) * 0.7, options.linkKbps * 1.3]).range([plotBottom, MARGIN.top]);

  const axes = el(document, 'g', { class: 'axes', fill: 'currentColor' }, svg);
  const xAxis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, axes);
  select(xAxis).call(axisBottom(x).tickValues(points.map((p) => p.lossPct)).tickFormat((v) => `${v}%`));
  legibleAxis(xAxis);
  const yAxis = el(document, 'g', { transform: `translate(${MARGIN.left},0)` }, axes);
  select(yAxis).call(axisLeft(y).tickValues(logTicks(y.domain()[0]!, y.domain()[1]!)).tickFormat((v) => fmt(Number(v))));
  legibleAxis(yAxis);
  text(document, 'packet loss on the data path (log scale)', { x: (MARGIN.left + width - MARGIN.right) / 2, y: plotBottom + 36, 'text-anchor': 'middle' }, axes);
  text(document, 'goodput (kbit/s, log scale)', { transform: `translate(13,${(MARGIN.top + plotBottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, axes);

  const ceiling = el(document, 'g', { class: 'link-rate' }, svg);
  el(document, 'line', { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(options.linkKbps), y2: y(options.linkKbps), stroke: 'currentColor', 'stroke-opacity': 0.6, 'stroke-dasharray': '2 4' }, ceiling);

  const model = seriesStyle(1);
  const measured = seriesStyle(0);
  const path = line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1]));
  el(document, 'path', { d: path(points.map((p) => [p.lossPct, p.mathisKbps])) ?? '', fill: 'none', stroke: model.color, 'stroke-width': 2, 'stroke-dasharray': model.dash, 'data-series': 'mathis' }, svg);
  const done = points.filter((p) => p.goodputKbps !== null && p.goodputKbps > 0) as (GoodputChartPoint & { goodputKbps: number })[];
  const sim = el(document, 'g', { 'data-series': 'simulated' }, svg);
  el(document, 'path', { d: path(done.map((p) => [p.lossPct, p.goodputKbps])) ?? '', fill: 'none', stroke: measured.color, 'stroke-width': 2 }, sim);
  for (const p of done) marker(document, measured.marker, x(p.lossPct), y(p.goodputKbps), measured.color, sim);

  const legend = el(document, 'g', { class: 'legend', fill: 'currentColor' }, svg);
  const entries: [string, () => void][] = [
    [`simulated 2 MB transfer, ${options.congestion}`, () => {
      el(document, 'line', { x1: 8, x2: 36, y1: legendTop, y2: legendTop, stroke: measured.color, 'stroke-width': 2 }, legend);
      marker(document, measured.marker, 22, legendTop, measured.color, legend);
    }],
    ['Mathis: MSS / RTT × 1.22 / √p (Reno, steady state)', () => el(document, 'line', { x1: 8, x2: 36, y1: legendTop + 20, y2: legendTop + 20, stroke: model.color, 'stroke-width': 2, 'stroke-dasharray': model.dash }, legend)],
    [`the link's rate, ${fmt(options.linkKbps)} kbit/s`, () => el(document, 'line', { x1: 8, x2: 36, y1: legendTop + 40, y2: legendTop + 40, stroke: 'currentColor', 'stroke-dasharray': '2 4' }, legend)],
  ];
  entries.forEach(([label, draw], i) => {
    draw();
    text(document, label, { x: 44, y: legendTop + i * 20 + 4 }, legend);
  });
  return svg;
}

export function goodputCurveSummary(points: GoodputChartPoint[], congestion: string): string {
  return `A 2 MB transfer with ${congestion}: ` + points.map((p) => `${p.lossPct}% loss, ${p.goodputKbps === null ? 'did not finish' : `${fmt(p.goodputKbps)} kbit/s`} (Mathis ${fmt(p.mathisKbps)})`).join('; ') + '.';
}

export function goodputCurveTable(points: GoodputChartPoint[], congestion: string): ChartTable {
  return {
    caption: `Goodput of a 2 MB transfer (${congestion}) and the Mathis model`,
    columns: ['loss (%)', 'simulated goodput (kbit/s)', 'Mathis (kbit/s)', 'simulated / Mathis'],
    rows: points.map((p) => [p.lossPct, p.goodputKbps === null ? '—' : Math.round(p.goodputKbps), Math.round(p.mathisKbps), p.goodputKbps === null ? '—' : Math.round((p.goodputKbps / p.mathisKbps) * 100) / 100]),
  };
}
