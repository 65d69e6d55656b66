/**
 * SVG and PNG of a chart. Charts are pure functions that return an <svg> (src/charts/), so the
 * element on the page is already the whole picture; these helpers make it a standalone file.
 *
 * Standalone means: the SVG namespace declared, sizes explicit, every colour that came from a
 * page stylesheet (CSS variables, `currentColor`) resolved into attributes, since a file opened on
 * its own has none of the page's CSS; a solid background (the page's, so light text drawn for the
 * dark theme stays readable in any viewer); and a caption under the picture naming the scenario,
 * the seed and the build, so a figure pasted into a report says where it came from.
 */
import { wrapWords } from '../charts/common.ts';
import { APP_NAME, APP_VERSION } from './version.ts';

export { wrapWords };

const SVG_NS = 'http://www.w3.org/2000/svg';
const PAINT_PROPERTIES = ['fill', 'stroke', 'color', 'opacity', 'stroke-width', 'stroke-dasharray', 'font-size', 'font-weight', 'font-family', 'text-anchor', 'dominant-baseline'] as const;

/** Where an exported figure came from. */
export interface ExportCaption {
  /** The scenario in words: a Lab scenario's title, or a chapter widget's settings. */
  scenario: string;
  /** The run's seed; null for a widget whose result does not depend on one. */
  seed: number | null;
  /** The build; default this one's (package.json). */
  version?: string;
}

/** "Scenario: … · seed 3 · wirelab 0.1.0" */
export function captionText(caption: ExportCaption): string {
  const seed = caption.seed === null ? 'no random choices (no seed)' : `seed ${caption.seed}`;
  return `Scenario: ${caption.scenario} · ${seed} · ${APP_NAME} ${caption.version ?? APP_VERSION}`;
}

/** Caption lines: font size, line height, and the width of one character (12 px sans-serif). */
const CAPTION_FONT = 12;
const CAPTION_LINE = 16;
const CAPTION_CHAR_PX = 6.8;

export interface SvgFileOptions {
  /** Write computed paint properties into the copy (default: when the DOM can compute them). */
  inlineStyles?: boolean;
  /** A solid colour under the whole picture, caption included. */
  background?: string;
  /** Lines of text added under the picture. */
  caption?: string;
  /** Colour of the caption text (default: the chart's computed text colour, else black). */
  captionColor?: string;
}

/**
 * A standalone copy of `svg` as text. With `inlineStyles` (the default in a browser), computed
 * paint properties of every element are written into the copy.
 */
export function svgToString(svg: SVGSVGElement, options: SvgFileOptions = {}): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const inline = options.inlineStyles ?? typeof getComputedStyle === 'function';
  if (inline) {
    const sources = [svg, ...svg.querySelectorAll('*')];
    const targets = [copy, ...copy.querySelectorAll('*')];
    sources.forEach((source, i) => {
      const target = targets[i];
      if (!target) return;
      const style = getComputedStyle(source);
      for (const prop of PAINT_PROPERTIES) {
        const value = style.getPropertyValue(prop);
        if (value) (target as SVGElement).style.setProperty(prop, value);
      }
    });
  }
  copy.setAttribute('xmlns', SVG_NS);
  const { width, height: chartHeight } = svgSize(svg);
  let height = chartHeight;
  if (options.caption) {
    const lines = wrapWords(options.caption, Math.max(20, Math.floor((width - 16) / CAPTION_CHAR_PX)));
    const color = options.captionColor ?? (inline ? getComputedStyle(svg).color : '') ?? '';
    const caption = copy.ownerDocument.createElementNS(SVG_NS, 'text');
    caption.setAttribute('class', 'export-caption');
    caption.setAttribute('font-size', String(CAPTION_FONT));
    caption.setAttribute('font-family', 'system-ui, sans-serif');
    caption.setAttribute('fill', color || '#000000');
    lines.forEach((line, i) => {
      const span = copy.ownerDocument.createElementNS(SVG_NS, 'tspan');
      span.setAttribute('x', '8');
      span.setAttribute('y', String(chartHeight + 8 + (i + 1) * CAPTION_LINE - 4));
      span.textContent = line;
      caption.append(span);
    });
    copy.append(caption);
    height = chartHeight + 8 + lines.length * CAPTION_LINE + 4;
    copy.setAttribute('viewBox', `0 0 ${width} ${height}`);
  }
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  if (options.background) {
    const rect = copy.ownerDocument.createElementNS(SVG_NS, 'rect');
    rect.setAttribute('width', '100%');
    rect.setAttribute('height', '100%');
    rect.setAttribute('fill', options.background);
    copy.insertBefore(rect, copy.firstChild);
  }
  // XMLSerializer in browsers; a DOM without it (linkedom in tests) serializes SVG as XML already.
  const text = typeof XMLSerializer === 'function' ? new XMLSerializer().serializeToString(copy) : copy.outerHTML;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${text}`;
}

/** The chart's drawing size: its viewBox, else its width/height attributes, else its box. */
export function svgSize(svg: SVGSVGElement): { width: number; height: number } {
  const viewBox = svg.getAttribute('viewBox')?.trim().split(/[\s,]+/).map(Number);
  if (viewBox && viewBox.length === 4 && viewBox.every(Number.isFinite) && viewBox[2]! > 0 && viewBox[3]! > 0)
    return { width: viewBox[2]!, height: viewBox[3]! };
  const w = Number.parseFloat(svg.getAttribute('width') ?? '');
  const h = Number.parseFloat(svg.getAttribute('height') ?? '');
  if (w > 0 && h > 0) return { width: w, height: h };
  const box = svg.getBoundingClientRect?.();
  return { width: Math.max(1, Math.round(box?.width ?? 600)), height: Math.max(1, Math.round(box?.height ?? 400)) };
}

/** The SVG file of a chart as the reader downloads it: on the page's background, with its caption. */
export function chartSvgFile(svg: SVGSVGElement, caption: ExportCaption): string {
  return svgToString(svg, { background: pageBackground(svg), caption: captionText(caption) });
}

/** A PNG of the chart at `scale` times its size, on the page's background colour, with its caption. */
export async function svgToPngBlob(svg: SVGSVGElement, caption: ExportCaption, scale = 2): Promise<Blob> {
  const text = chartSvgFile(svg, caption);
  // The file's own size, caption included.
  const { width, height } = svgSize(new DOMParser().parseFromString(text, 'image/svg+xml').documentElement as unknown as SVGSVGElement);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const image = new Image();
    image.decoding = 'async';
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser cannot draw on a canvas, so no PNG can be made.');
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The browser could not encode the PNG.'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The first non-transparent background colour up the tree (the chart's visible backdrop). */
export function pageBackground(el: Element): string {
  for (let node: Element | null = el; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg)) return bg;
  }
  return '#ffffff';
}
