import { describe, expect, it } from 'vitest';
import { topologyChart, topologySummary, topologyTable, type TopologyLink, type TopologyNode } from '../../src/charts/topology.ts';
import { testDocument } from './dom.ts';

const nodes: TopologyNode[] = [
  { id: 'sensor', label: 'sensor', x: 0, y: 0.5 },
  { id: 'broker', label: 'broker', x: 0.5, y: 0.5, role: 'MQTT broker' },
  { id: 'dash-1', label: 'dashboard 1', x: 1, y: 0 },
];
const links: TopologyLink[] = [
  { id: 'l1', a: 'sensor', b: 'broker', ab: { packets: 3, bytes: 200 }, ba: { packets: 2, bytes: 104 } },
  { id: 'l2', a: 'broker', b: 'dash-1', ab: { packets: 1, bytes: 80 }, ba: { packets: 0, bytes: 0 } },
];

describe('topologyChart', () => {
  it('labels each link with packets and bytes in both directions', () => {
    const svg = topologyChart(nodes, links, {}, { document: testDocument() });
    const counter = svg.querySelector('g.link[data-link="l1"] text.counter')!;
    expect([...counter.querySelectorAll('tspan')].map((t) => t.textContent)).toEqual(['→ 3 pkt · 200 B', '← 2 pkt · 104 B']);
    expect(svg.querySelectorAll('g.node').length).toBe(3);
  });

  it('places a dot part-way along its link and tells data from control by shape', () => {
    const svg = topologyChart(nodes, links, {
      width: 500, height: 300,
      dots: [ { link: 'l1', dir: 'ab', progress: 0.5, kind: 'data' }, { link: 'l1', dir: 'ba', progress: 0, kind: 'control' }, { link: 'nope', dir: 'ab', progress: 0.5, kind: 'data' } ],
    }, { document: testDocument() });
    const circle = svg.querySelector('g.dots circle')!;
    // sensor centre x = 62, broker centre x = 250: half-way is 156
    expect(Number(circle.getAttribute('cx'))).toBe(156);
    const square = svg.querySelector('g.dots rect')!;
    expect(Number(square.getAttribute('x')) + 4).toBe(250); // at the broker end (dir ba, progress 0)
    expect(svg.querySelectorAll('g.dots > *').length).toBe(2); // the dot on an unknown link is skipped
  });
});

describe('topologySummary and topologyTable', () => {
  it('totals packets and bytes and names the busiest link', () => {
    expect(topologySummary(links, nodes)).toBe('6 packets and 384 bytes have crossed 2 links; the busiest is sensor–broker with 304 bytes.');
    expect(topologySummary([])).toBe('No packets have crossed a link yet.');
  });
  it('has one row per link direction', () => {
    expect(topologyTable(nodes, links).rows).toEqual([
      ['sensor', 'broker', 3, 200], ['broker', 'sensor', 2, 104], ['broker', 'dashboard 1', 1, 80], ['dashboard 1', 'broker', 0, 0],
    ]);
  });
});
