import { describe, expect, it } from 'vitest';
import { arrow, topologyChart, topologySummary, topologyTable, topologyTotals, type TopologyLink, type TopologyNode } from '../../src/charts/topology.ts';
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
      width: 680, height: 300,
      dots: [ { link: 'l1', dir: 'ab', progress: 0.5, kind: 'data' }, { link: 'l1', dir: 'ba', progress: 0, kind: 'control' }, { link: 'nope', dir: 'ab', progress: 0.5, kind: 'data' } ],
    }, { document: testDocument() });
    const circle = svg.querySelector('g.dots circle')!;
    // Boxes 112 wide, 6 px from the edges: centres from 62 to 680 - 62 = 618; the broker at
    // x = 0.5 is at 62 + 0.5 * 556 = 340; half-way from the sensor (62) is 201.
    expect(Number(circle.getAttribute('cx'))).toBe(201);
    const square = svg.querySelector('g.dots rect')!;
    expect(Number(square.getAttribute('x')) + 4).toBe(340); // at the broker end (dir ba, progress 0)
    expect(svg.querySelectorAll('g.dots > *').length).toBe(2); // the dot on an unknown link is skipped
  });

  it('draws the dots after the boxes, so a packet at a node is not hidden behind it', () => {
    const svg = topologyChart(nodes, links, { dots: [{ link: 'l1', dir: 'ab', progress: 0, kind: 'data' }] }, { document: testDocument() });
    const groups = [...svg.children].filter((c) => c.tagName.toLowerCase() === 'g').map((g) => g.getAttribute('class'));
    expect(groups).toEqual(['links', 'nodes', 'dots']);
  });

  it('rings and enlarges the dot of the packet being followed', () => {
    const svg = topologyChart(nodes, links, {
      dots: [ { link: 'l1', dir: 'ab', progress: 0.2, kind: 'data', highlight: true }, { link: 'l2', dir: 'ab', progress: 0.2, kind: 'data' } ],
    }, { document: testDocument() });
    const [followed, other] = [...svg.querySelectorAll('g.dots circle')];
    expect([followed!.getAttribute('r'), followed!.getAttribute('class'), followed!.getAttribute('stroke')]).toEqual(['9', 'followed', 'currentColor']);
    expect([other!.getAttribute('r'), other!.hasAttribute('class')]).toEqual(['6', false]);
  });

  it('turns a quarter on a phone: the left-to-right chain runs top to bottom, counters above the box a link leads to', () => {
    // 390 px phone, minus the widget's padding: a 358 px drawing (narrower than NARROW_WIDTH 520).
    const svg = topologyChart(nodes, links, { width: 358 }, { document: testDocument() });
    expect(svg.getAttribute('viewBox')).toBe('0 0 358 420');
    const centre = (id: string) => {
      const rect = svg.querySelector(`g.node[data-node="${id}"] rect`)!;
      return [Number(rect.getAttribute('x')) + 56, Number(rect.getAttribute('y')) + 20];
    };
    // x fractions become rows: y = 26 + x * (420 - 52); y fractions become columns: x = 62 + y * (358 - 124).
    expect([centre('sensor'), centre('broker'), centre('dash-1')]).toEqual([[179, 26], [179, 210], [62, 394]]);
    const counter = svg.querySelector('g.link[data-link="l2"] text.counter')!;
    // Centred on dashboard 1's box, two lines ending 20 px above its top (394 - 20 - 20).
    expect([counter.getAttribute('x'), counter.getAttribute('y')]).toEqual(['62', '354']);
    // The arrows follow the picture: broker to dashboard now runs down the page.
    expect([...counter.querySelectorAll('tspan')].map((t) => t.textContent)).toEqual(['↓ 1 pkt · 80 B', '↑ 0 pkt · 0 B']);
  });

  it('heads the picture with packets on the way apart from those that arrived, when the counters say so', () => {
    const counted: TopologyLink[] = [
      { id: 'l1', a: 'sensor', b: 'broker', ab: { packets: 3, bytes: 200, inFlight: 1, dropped: 0 }, ba: { packets: 2, bytes: 104, inFlight: 0, dropped: 1 } },
      { id: 'l2', a: 'broker', b: 'dash-1', ab: { packets: 1, bytes: 80, inFlight: 2, dropped: 0 }, ba: { packets: 0, bytes: 0, inFlight: 0, dropped: 0 } },
    ];
    expect(topologyTotals(counted)).toBe('3 on the way · 6 arrived (384 B) · 1 dropped');
    expect(topologyTotals(links)).toBeNull();
    const svg = topologyChart(nodes, counted, {}, { document: testDocument() });
    expect(svg.querySelector('text.totals')!.textContent).toBe('3 on the way · 6 arrived (384 B) · 1 dropped');
    // 22 px more for the line: 300 + 22.
    expect(svg.getAttribute('viewBox')).toBe('0 0 680 322');
    expect(topologySummary(counted, nodes)).toBe('3 packets are on the way; 6 have arrived (384 bytes); 1 was dropped.');
  });
});

describe('arrow', () => {
  it('points along the larger component of the direction', () => {
    expect([arrow(10, 3), arrow(-10, 3), arrow(1, 30), arrow(1, -30), arrow(0, 0)]).toEqual(['→', '←', '↓', '↑', '→']);
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
