/**
 * Charts on a phone: drawn at the container's width (a 390 px phone less the widget's padding
 * leaves 358 px), so the SVG is not shrunk, and no text is smaller than MIN_FONT_PX (11 px).
 * The browser test (tests/browser/phone.test.ts) measures the same on the built pages.
 */
import { describe, expect, it } from 'vitest';
import { MIN_FONT_PX } from '../../src/charts/common.ts';
import { latencyModel, messageLatencyChart } from '../../src/charts/messageLatency.ts';
import { sequenceChart } from '../../src/charts/sequence.ts';
import { topologyChart } from '../../src/charts/topology.ts';
import { wireBytesChart } from '../../src/charts/wireBytes.ts';
import { testDocument } from './dom.ts';

const PHONE = 358;

/** The font size that applies to `node`: its own `font-size` attribute, else its nearest ancestor's. */
function fontSize(node: Element): number {
  for (let n: Element | null = node; n; n = n.parentElement) {
    const size = n.getAttribute('font-size');
    if (size !== null) return Number(size);
  }
  return Number.NaN;
}

function charts(): [string, SVGSVGElement][] {
  const document = testDocument();
  const ctx = { document };
  return [
    ['topology', topologyChart(
      [{ id: 's', label: 'sensor', role: 'publisher', x: 0, y: 0.5 }, { id: 'b', label: 'broker', role: 'MQTT broker', x: 0.42, y: 0.5 },
        { id: 'd1', label: 'dashboard 1', role: 'subscriber', x: 1, y: 0 }, { id: 'd2', label: 'dashboard 2', role: 'subscriber', x: 1, y: 1 }],
      [{ id: 'l1', a: 's', b: 'b', ab: { packets: 12, bytes: 1_234, inFlight: 1, dropped: 0 }, ba: { packets: 9, bytes: 468, inFlight: 0, dropped: 0 } },
        { id: 'l2', a: 'b', b: 'd1', ab: { packets: 3, bytes: 200, inFlight: 0, dropped: 0 }, ba: { packets: 2, bytes: 104, inFlight: 0, dropped: 0 } }],
      { width: PHONE }, ctx)],
    ['sequence', sequenceChart([{ id: 'c', label: 'browser (client)' }, { id: 's', label: 'server' }],
      [{ id: 'm1', from: 'c', to: 's', sentMs: 0, arrivedMs: 50, label: 'SYN', bytes: 60, layer: 'tcp' },
        { id: 'm2', from: 's', to: 'c', sentMs: 50, arrivedMs: 100, label: '101 Switching Protocols', bytes: 181, layer: 'http' }],
      { width: PHONE }, ctx)],
    ['wireBytes', wireBytesChart([{ id: 'a', label: 'WebSocket frame', points: [{ payloadBytes: 0, wireBytes: 2 }, { payloadBytes: 65_535, wireBytes: 65_539 }] }],
      { width: PHONE, xScale: 'symlog', highlight: 0 }, ctx)],
    ['messageLatency', messageLatencyChart(latencyModel([{ flow: 'f', sentMs: 0, latencyMs: 40, status: 'delivered' }, { flow: 'f', sentMs: 900, latencyMs: null, status: 'lost' }], { durationMs: 1000 }),
      { width: PHONE }, ctx)],
  ];
}

describe('charts at phone width', () => {
  it('draw at the width they are given, so the page shows them at 1:1', () => {
    expect(charts().map(([name, svg]) => [name, svg.getAttribute('viewBox')!.split(' ')[2]])).toEqual([
      ['topology', '358'], ['sequence', '358'], ['wireBytes', '358'], ['messageLatency', '358'],
    ]);
  });

  it(`set no text under ${MIN_FONT_PX} px (d3-axis's own 10 px included)`, () => {
    const small: string[] = [];
    let texts = 0;
    for (const [name, svg] of charts()) {
      for (const t of svg.querySelectorAll('text, tspan')) {
        texts++;
        const size = fontSize(t);
        if (!(size >= MIN_FONT_PX)) small.push(`${name}: "${t.textContent}" at ${size} px`);
      }
    }
    expect(small).toEqual([]);
    expect(texts).toBeGreaterThan(40); // axes, labels, legends: the check saw them all
  });

  it('never draw narrower than 280 px (a narrower box shrinks the drawing instead of cramming it)', () => {
    const svg = wireBytesChart([], { width: 200 }, { document: testDocument() });
    expect(svg.getAttribute('viewBox')).toBe('0 0 280 360');
  });
});
