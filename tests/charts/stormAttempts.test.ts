/**
 * Chapter 11's chart (src/charts/stormAttempts.ts): where its labels sit. The left axis has its
 * own title beside it; the drops have a strip of their own under the time axis and its title, so
 * their label is not read as the axis's (it once sat just under the axis, in the axis's column).
 */
import { describe, expect, it } from 'vitest';
import { stormAttemptsChart, type StormBinRow } from '../../src/charts/stormAttempts.ts';
import { testDocument } from './dom.ts';

// Ten 100 ms slices: 5 attempts in the slice at 1 s, 2 of them dropped; the clients back at 1.1 s.
const rows: StormBinRow[] = Array.from({ length: 10 }, (_, i) => ({
  tS: i / 10,
  attempts: i === 9 ? 5 : 0,
  handshakeRetransmits: 0,
  drops: i === 9 ? 2 : 0,
  backSoFar: i === 9 ? 5 : 0,
}));

function labelled(svg: SVGSVGElement, content: string): SVGTextElement {
  const found = [...svg.querySelectorAll('text')].find((t) => t.textContent === content);
  if (!found) throw new Error(`no text "${content}"`);
  return found;
}

describe('stormAttemptsChart', () => {
  for (const width of [680, 360]) {
    it(`titles the left axis beside it, and labels the drops in their own strip under the time axis (${width} px)`, () => {
      const svg = stormAttemptsChart(rows, { width, downAfterS: null, displaced: 5 }, { document: testDocument() });
      const axis = svg.querySelector('g[transform^="translate(0,"]')!;
      const axisY = Number(/translate\(0,([\d.]+)\)/.exec(axis.getAttribute('transform')!)![1]);
      // The left axis's title: rotated, left of the axis's line (x = 60), between its top and bottom.
      const title = labelled(svg, 'attempts per 100 ms');
      const [, tx, ty] = /translate\(([\d.]+),([\d.]+)\) rotate\(-90\)/.exec(title.getAttribute('transform') ?? '')!.map(Number);
      expect(tx).toBeLessThan(60 - 30);
      expect(ty).toBeLessThan(axisY);
      // Under the axis, in this order: the time axis's title, then the drops' strip and its label.
      const timeTitleY = Number(labelled(svg, 'seconds after the failure').getAttribute('y'));
      const dropsY = Number(labelled(svg, 'drops').getAttribute('y'));
      expect(timeTitleY).toBeGreaterThan(axisY + 20);
      expect(dropsY).toBeGreaterThan(timeTitleY + 14);
      // The one slice with drops: its tick stands on the strip's baseline, below the time axis's title.
      const tick = svg.querySelector('rect[data-drops="2"]')!;
      expect(Number(tick.getAttribute('y'))).toBeGreaterThan(timeTitleY);
      const legendTop = Math.min(...[...svg.querySelectorAll('text')].filter((t) => t.textContent?.startsWith('connections opened')).map((t) => Number(t.getAttribute('y'))));
      expect(legendTop).toBeGreaterThan(dropsY + 14);
      // The legend keeps its place at 44 px (+ 22 for its swatch) when the plot's margin grew: its
      // longest entry, "packets dropped in front of the balancer", only just fits a phone's chart.
      expect(Number(labelled(svg, 'connections opened (first SYNs)').getAttribute('x'))).toBe(44 + 22);
    });
  }
});
