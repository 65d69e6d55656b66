import { describe, expect, it } from 'vitest';
import { svgSize, svgToString } from '../../src/lib/chartExport.ts';
import { testDocument } from '../charts/dom.ts';

function chart(attrs: Record<string, string>): SVGSVGElement {
  const document = testDocument();
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg') as SVGSVGElement;
  for (const [k, v] of Object.entries(attrs)) svg.setAttribute(k, v);
  const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  rect.setAttribute('width', '10');
  svg.append(rect);
  document.body.append(svg);
  return svg;
}

describe('chart export', () => {
  it('sizes a chart from its viewBox, else its width and height', () => {
    expect(svgSize(chart({ viewBox: '0 0 640 320', width: '100%' }))).toEqual({ width: 640, height: 320 });
    expect(svgSize(chart({ width: '300', height: '150' }))).toEqual({ width: 300, height: 150 });
  });

  it('writes a standalone SVG file with namespace, size and an optional background', () => {
    const svg = chart({ viewBox: '0 0 640 320' });
    const text = svgToString(svg, { inlineStyles: false, background: '#ffffff' });
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    expect(text).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(text).toContain('width="640"');
    expect(text).toContain('height="320"');
    // The background is the first child, under everything else.
    const first = /<svg[^>]*>(<rect[^>]*>)/.exec(text)?.[1] ?? '';
    expect([first.includes('fill="#ffffff"'), first.includes('width="100%"'), first.includes('height="100%"')]).toEqual([true, true, true]);
    // The page's element is left as it was.
    expect(svg.getAttribute('width')).toBeNull();
    expect(svg.querySelectorAll('rect').length).toBe(1);
  });
});
