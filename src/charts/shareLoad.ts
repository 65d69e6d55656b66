/**
 * Who did the work (chapter 10): jobs each consumer received, with a shared subscription and with
 * plain subscriptions, and the jobs no consumer received, as horizontal bars. Shared bars are solid,
 * plain ones hatched with a lighter fill and a dashed outline, so colour is never needed alone; each
 * bar carries its number.
 */
import { axisBottom, scaleBand, scaleLinear, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, SERIES_STYLES, svgRoot, text } from './common.ts';
import type { ChartTable } from './table.ts';

export interface ShareChartRow {
  /** "c1", "c2"... or "no consumer". */
  label: string;
  shared: number;
  plain: number;
}

export interface ShareChartOptions {
  width?: number;
  title?: string;
}

/** Room for the legend: one line per mode, so it fits a phone's width. */
const MARGIN = { top: 50, right: 60, bottom: 40, left: 96 };
const fmt = (v: number) => v.toLocaleString('en-US');
const MODES = [
  { key: 'shared', label: 'shared: $share/workers/jobs', style: SERIES_STYLES[0]!, dash: '' },
  { key: 'plain', label: 'plain: jobs', style: SERIES_STYLES[1]!, dash: '4 2' },
] as const;

export function shareLoadChart(rows: ShareChartRow[], options: ShareChartOptions, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const rowHeight = 40;
  const plotBottom = MARGIN.top + rows.length * rowHeight;
  const height = plotBottom + MARGIN.bottom;
  const svg = svgRoot(document, width, height, options.title ?? 'Jobs per consumer', shareLoadSummary(rows));
  const hi = Math.max(1, ...rows.flatMap((r) => [r.shared, r.plain]));
  const x = scaleLinear().domain([0, hi * 1.05]).range([MARGIN.left, width - MARGIN.right]).nice();
  const band = scaleBand().domain(rows.map((r) => r.label)).range([MARGIN.top, plotBottom]).paddingInner(0.25);
  const sub = scaleBand().domain(MODES.map((m) => m.key)).range([0, band.bandwidth()]).paddingInner(0.1);

  const legend = el(document, 'g', { class: 'legend', fill: 'currentColor' }, svg);
  MODES.forEach((m, i) => {
    const y = 6 + i * 20;
    el(document, 'rect', { x: 8, y, width: 14, height: 12, fill: m.style.color, 'fill-opacity': m.key === 'plain' ? 0.45 : 1, stroke: m.style.color, 'stroke-dasharray': m.dash || undefined }, legend);
    text(document, m.label, { x: 28, y: y + 10 }, legend);
  });

  const axes = el(document, 'g', { class: 'axes', fill: 'currentColor' }, svg);
  const xAxis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, axes);
  select(xAxis).call(axisBottom(x).ticks(Math.max(2, Math.floor((width - MARGIN.left - MARGIN.right) / 80))).tickFormat((v) => fmt(Number(v))));
  legibleAxis(xAxis);
  text(document, 'jobs received', { x: (MARGIN.left + width - MARGIN.right) / 2, y: plotBottom + 34, 'text-anchor': 'middle' }, axes);

  for (const r of rows) {
    const y0 = band(r.label)!;
    text(document, r.label, { x: MARGIN.left - 8, y: y0 + band.bandwidth() / 2 + 4, 'text-anchor': 'end', fill: 'currentColor' }, svg);
    for (const m of MODES) {
      const v = r[m.key];
      const y = y0 + sub(m.key)!;
      const g = el(document, 'g', { 'data-series': `${m.key}-${r.label}` }, svg);
      el(document, 'rect', { x: x(0), y, width: Math.max(1, x(v) - x(0)), height: sub.bandwidth(), fill: m.style.color, 'fill-opacity': m.key === 'plain' ? 0.45 : 1, stroke: m.style.color, 'stroke-dasharray': m.dash || undefined }, g);
      text(document, fmt(v), { x: x(v) + 4, y: y + sub.bandwidth() / 2 + 4, fill: 'currentColor' }, g);
    }
  }
  return svg;
}

export function shareLoadSummary(rows: ShareChartRow[]): string {
  const consumers = rows.filter((r) => r.label !== 'no consumer');
  const none = rows.find((r) => r.label === 'no consumer');
  return `Jobs received, shared subscription: ${consumers.map((r) => `${r.label} ${fmt(r.shared)}`).join(', ')}; plain subscriptions: ${consumers.map((r) => `${r.label} ${fmt(r.plain)}`).join(', ')}.` +
    (none ? ` Received by no consumer: ${fmt(none.shared)} (shared), ${fmt(none.plain)} (plain).` : '');
}

export function shareLoadTable(rows: ShareChartRow[]): ChartTable {
  return {
    caption: 'Jobs received per consumer, shared and plain subscriptions',
    columns: ['consumer', 'shared: $share/workers/jobs', 'plain: jobs'],
    rows: rows.map((r) => [r.label, fmt(r.shared), fmt(r.plain)]),
  };
}
