/**
 * SVG and PNG of a chart. Charts are pure functions that return an <svg> (src/charts/), so the
 * element on the page is already the whole picture; these helpers make it a standalone file.
 *
 * Standalone means: the SVG namespace declared, sizes explicit, and every colour that came from a
 * page stylesheet (CSS variables, `currentColor`) resolved into attributes, since a file opened on
 * its own has none of the page's CSS.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const PAINT_PROPERTIES = ['fill', 'stroke', 'color', 'opacity', 'stroke-width', 'stroke-dasharray', 'font-size', 'font-weight', 'font-family', 'text-anchor', 'dominant-baseline'] as const;

/**
 * A standalone copy of `svg` as text. With `inlineStyles` (the default in a browser), computed
 * paint properties of every element are written into the copy.
 */
export function svgToString(svg: SVGSVGElement, options: { inlineStyles?: boolean; background?: string } = {}): string {
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
  const { width, height } = svgSize(svg);
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

/** A PNG of the chart at `scale` times its size, on the page's background colour. */
export async function svgToPngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const background = pageBackground(svg);
  const text = svgToString(svg, { background });
  const { width, height } = svgSize(svg);
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
function pageBackground(el: Element): string {
  for (let node: Element | null = el; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg)) return bg;
  }
  return '#ffffff';
}
