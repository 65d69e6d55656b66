/**
 * Chapter 7's time-to-detect chart: one horizontal bar per end of each connection (WebSocket
 * server and browser, MQTT broker and device), as long as that end took to learn that its
 * connection had died. An end that never learned within the run gets a hatched bar to the run's
 * end, marked "never"; a connection that stayed alive has no bar, only the words.
 */
import { axisBottom, scaleLinear, select } from 'd3';
import { type ChartContext, chartWidth, el, legibleAxis, NARROW_WIDTH, svgRoot, text } from './common.ts';
import type { ChartTable } from './table.ts';

export interface DetectRow {
  id: string;
  label: string;
  /** Time from the death to this end's detection, ms; null when it did not detect. */
  detectMs: number | null;
  /** When the connection died, ms of the run; null when it stayed alive. */
  diedAtMs: number | null;
  /** How it learned, or why it did not. */
  how: string;
}

const ROW = 40;
const COLORS = { websocket: '#2f7fe0', mqtt: '#16913f', never: '#dc2f2f' };
const fmtS = (ms: number) =>
  `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: ms < 100_000 ? 2 : 0 })} s${ms >= 120_000 ? ` (${(ms / 60_000).toLocaleString('en-US', { maximumFractionDigits: 1 })} min)` : ''}`;

export function detectWords(r: DetectRow): string {
  if (r.diedAtMs === null) return 'stayed alive';
  if (r.detectMs === null) return 'never noticed';
  return `noticed after ${fmtS(r.detectMs)}`;
}

export function aliveDetectChart(rows: DetectRow[], options: { width?: number; title?: string; runMs: number }, { document }: ChartContext): SVGSVGElement {
  const width = chartWidth(options.width, 680);
  const narrow = width < NARROW_WIDTH;
  const left = narrow ? 8 : 170;
  const right = 16;
  const top = 8;
  // On a phone each row's name sits above its bar.
  const rowHeight = narrow ? ROW + 16 : ROW;
  const plotBottom = top + rows.length * rowHeight;
  const height = plotBottom + 44;
  const svg = svgRoot(document, width, height, options.title ?? 'How long until each end noticed', aliveDetectSummary(rows));
  // The longest time an end could have waited: from the earliest death to the run's end.
  const deaths = rows.map((r) => r.diedAtMs).filter((t): t is number => t !== null);
  const longest = Math.max(1000, ...rows.map((r) => r.detectMs ?? 0), ...(deaths.length > 0 ? [options.runMs - Math.min(...deaths)] : []));
  const x = scaleLinear().domain([0, longest / 1000]).range([left, width - right]).nice();

  const defs = el(document, 'defs', {}, svg);
  const hatch = el(document, 'pattern', { id: 'wl-alive-hatch', width: 8, height: 8, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, defs);
  // Light stripes, so the words over them keep the text colour's contrast in both themes.
  el(document, 'rect', { width: 3, height: 8, fill: COLORS.never, 'fill-opacity': 0.35 }, hatch);

  const g = el(document, 'g', { fill: 'currentColor' }, svg);
  rows.forEach((r, i) => {
    const y0 = top + i * rowHeight;
    const barTop = narrow ? y0 + 18 : y0 + 8;
    const barHeight = ROW - 16;
    el(document, 'rect', { x: left, y: y0 + 2, width: width - left - right, height: rowHeight - 4, fill: 'currentColor', 'fill-opacity': i % 2 ? 0.03 : 0.07 }, g);
    if (narrow) text(document, r.label, { x: left + 2, y: y0 + 14 }, g);
    else text(document, r.label, { x: left - 6, y: barTop + barHeight / 2 + 4, 'text-anchor': 'end' }, g);
    const color = r.id.startsWith('ws') ? COLORS.websocket : COLORS.mqtt;
    const words = detectWords(r);
    let end = left;
    if (r.diedAtMs !== null && r.detectMs !== null) {
      end = x(r.detectMs / 1000);
      el(document, 'rect', { x: left, y: barTop, width: Math.max(2, end - left), height: barHeight, fill: color, 'data-side': r.id }, g);
    } else if (r.diedAtMs !== null) {
      end = x((options.runMs - r.diedAtMs) / 1000);
      el(document, 'rect', { x: left, y: barTop, width: Math.max(2, end - left), height: barHeight, fill: 'url(#wl-alive-hatch)', stroke: COLORS.never, 'data-side': r.id }, g);
    }
    if (narrow) {
      // On a phone the words share the row name's line, at its right end, in short.
      text(document, r.diedAtMs !== null && r.detectMs !== null ? `after ${fmtS(r.detectMs).replace(/ \(.*\)$/, '')}` : words, { x: width - right - 4, y: y0 + 14, 'text-anchor': 'end', 'font-weight': 600 }, g);
      return;
    }
    // The words go after the bar when they fit, else inside its end.
    const inside = end + 8 + words.length * 6.8 > width - right;
    const label = text(document, words, { x: inside ? end - 6 : end + 6, y: barTop + barHeight / 2 + 4, 'text-anchor': inside ? 'end' : 'start', 'font-weight': 600 }, g);
    // White on a solid bar; the hatched bar's light stripes keep the text colour.
    if (inside && r.detectMs !== null) label.setAttribute('fill', '#ffffff');
  });
  const axis = el(document, 'g', { transform: `translate(0,${plotBottom})` }, g);
  select(axis).call(axisBottom(x).ticks(Math.max(2, Math.floor((width - left) / 80))).tickFormat((v) => Number(v).toLocaleString('en-US')));
  legibleAxis(axis);
  text(document, 'seconds from the moment the connection died', { x: (left + width - right) / 2, y: plotBottom + 34, 'text-anchor': 'middle' }, g);
  return svg;
}

export function aliveDetectSummary(rows: DetectRow[]): string {
  return rows.map((r) => `${r.label}: ${detectWords(r)}.`).join(' ');
}

/** The table twin: one row per end. */
export function aliveDetectTable(rows: DetectRow[]): ChartTable {
  return {
    caption: 'How long until each end noticed that its connection had died',
    columns: ['end', 'connection died at (s)', 'noticed after (s)', 'how'],
    rows: rows.map((r) => [r.label, r.diedAtMs === null ? 'stayed alive' : r.diedAtMs / 1000, r.diedAtMs === null ? '—' : r.detectMs === null ? 'never (within the run)' : r.detectMs / 1000, r.how]),
  };
}
