/**
 * Small helpers shared by the chart functions (Observable Plot's habit: a chart is a pure function
 * from data and options to a detached SVG node, and `document` is passed in so the same code
 * renders in a test, on the page and for SVG/PNG export).
 */

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** What every chart function receives as its third argument. */
export interface ChartContext {
  document: Document;
}

/**
 * The smallest font size any chart text gets, in CSS pixels at the drawing's own size. Charts are
 * drawn at their container's width (see `chartWidth`), so this is the size a reader sees, on a
 * 390 px phone as on a desktop.
 */
export const MIN_FONT_PX = 11;

/** Narrowest drawing a chart lays out for; a narrower container shrinks it (rare: < 300 px screens). */
export const MIN_CHART_WIDTH = 280;

/** Below this width, charts switch to their narrow layout (a phone held upright). */
export const NARROW_WIDTH = 520;

/**
 * The width to draw at: the container's width when the wrapper measured one, else `fallback`;
 * never under MIN_CHART_WIDTH, always a whole number of pixels.
 */
export function chartWidth(width: number | undefined, fallback: number): number {
  return Math.max(MIN_CHART_WIDTH, Math.round(maybeNumber(width, fallback)));
}

/**
 * d3-axis writes `font-size="10"` on every axis it draws (under MIN_FONT_PX); this puts the
 * axis text at the chart's smallest size instead. Call after `select(g).call(axis)`.
 */
export function legibleAxis(g: Element): void {
  g.setAttribute('font-size', String(MIN_FONT_PX));
  g.removeAttribute('font-family');
}

/** `text` broken at spaces into lines of at most `chars` characters (a longer word stays whole). */
export function wrapWords(text: string, chars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > chars) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Average width of one character of 12 px sans-serif text (digits and lower case), for fitting text. */
export const CHAR_PX = 6.8;

/** A number option, or its default when missing or not finite. */
export function maybeNumber(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

/**
 * The root <svg> of a chart: sized by viewBox so it scales with its container, with a <title> and
 * <desc> (its accessible name and description) and a font that matches the page.
 */
export function svgRoot(
  document: Document,
  width: number,
  height: number,
  title: string,
  description: string,
): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg') as SVGSVGElement;
  svg.setAttribute('xmlns', SVG_NS);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('role', 'img');
  svg.setAttribute('font-family', 'system-ui, sans-serif');
  svg.setAttribute('font-size', '12');
  const titleEl = document.createElementNS(SVG_NS, 'title');
  titleEl.textContent = title;
  const descEl = document.createElementNS(SVG_NS, 'desc');
  descEl.textContent = description;
  svg.append(titleEl, descEl);
  return svg;
}

/** An SVG element with attributes set, appended to `parent` when given. */
export function el<K extends keyof SVGElementTagNameMap>(
  document: Document,
  name: K,
  attributes: Record<string, string | number | undefined> = {},
  parent?: Element,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, name) as SVGElementTagNameMap[K];
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) node.setAttribute(key, String(value));
  }
  parent?.append(node);
  return node;
}

/** A text node element. */
export function text(
  document: Document,
  content: string,
  attributes: Record<string, string | number | undefined>,
  parent?: Element,
): SVGTextElement {
  const node = el(document, 'text', attributes, parent);
  node.textContent = content;
  return node;
}

/** "1 byte", "20 bytes", "1,448 bytes". */
export function formatBytes(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'byte' : 'bytes'}`;
}

/**
 * The series palette: each entry pairs a colour (3:1 or better against white and against the
 * dark theme's background, WCAG 2.2 non-text contrast) with a dash pattern and a marker shape, so
 * colour never carries meaning alone.
 */
export const SERIES_STYLES: readonly { color: string; dash: string; marker: 'circle' | 'square' | 'triangle' | 'diamond' | 'cross' | 'bar' }[] = [
  { color: '#2f7fe0', dash: '', marker: 'circle' },
  { color: '#c8570a', dash: '6 3', marker: 'square' },
  { color: '#16913f', dash: '2 3', marker: 'triangle' },
  { color: '#a347f5', dash: '8 3 2 3', marker: 'diamond' },
  { color: '#dc2f2f', dash: '12 4', marker: 'cross' },
  { color: '#0f86a6', dash: '1 2', marker: 'bar' },
];

export function seriesStyle(index: number) {
  return SERIES_STYLES[index % SERIES_STYLES.length]!;
}

/** A small marker of `shape` centred on (x, y), for legends and data points. */
export function marker(
  document: Document,
  shape: (typeof SERIES_STYLES)[number]['marker'],
  x: number,
  y: number,
  color: string,
  parent: Element,
): SVGElement {
  const r = 4;
  switch (shape) {
    case 'circle':
      return el(document, 'circle', { cx: x, cy: y, r, fill: color }, parent);
    case 'square':
      return el(document, 'rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: color }, parent);
    case 'triangle':
      return el(document, 'path', { d: `M${x},${y - r - 1}L${x + r + 1},${y + r}L${x - r - 1},${y + r}Z`, fill: color }, parent);
    case 'diamond':
      return el(document, 'path', { d: `M${x},${y - r - 1}L${x + r + 1},${y}L${x},${y + r + 1}L${x - r - 1},${y}Z`, fill: color }, parent);
    case 'cross':
      return el(document, 'path', { d: `M${x - r},${y - r}L${x + r},${y + r}M${x - r},${y + r}L${x + r},${y - r}`, stroke: color, 'stroke-width': 2.5 }, parent);
    case 'bar':
      return el(document, 'rect', { x: x - 1.5, y: y - r - 1, width: 3, height: 2 * r + 2, fill: color }, parent);
  }
}
