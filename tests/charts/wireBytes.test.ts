import { describe, expect, it } from 'vitest';
import { spacedTicks, wireBytesChart, wireBytesSummary, wireBytesTable, type WireBytesSeries } from '../../src/charts/wireBytes.ts';
import { testDocument } from './dom.ts';

const series: WireBytesSeries[] = [
  { id: 'a', label: 'Frame A', points: [ { payloadBytes: 0, wireBytes: 2 }, { payloadBytes: 10, wireBytes: 12 }, { payloadBytes: 200, wireBytes: 204 } ] },
  { id: 'b', label: 'Packet B', points: [ { payloadBytes: 0, wireBytes: 9 }, { payloadBytes: 10, wireBytes: 19 }, { payloadBytes: 200, wireBytes: 210 } ] },
];

describe('wireBytesChart', () => {
  it('draws one path per series, each with its own dash pattern, and a legend entry per series', () => {
    const svg = wireBytesChart(series, { width: 600, height: 300 }, { document: testDocument() });
    const paths = svg.querySelectorAll('g.series path');
    expect(paths.length).toBe(2);
    expect(paths[0]!.getAttribute('data-series')).toBe('a');
    expect(paths[0]!.getAttribute('stroke-dasharray')).toBeNull();
    expect(paths[1]!.getAttribute('stroke-dasharray')).toBe('6 3');
    const legend = [...svg.querySelectorAll('g.legend text')].map((t) => t.textContent);
    expect(legend).toEqual(['Frame A', 'Packet B']);
    expect(svg.getAttribute('viewBox')).toBe('0 0 600 300');
  });

  it('puts the summary sentence in <desc> and marks the highlighted payload on every series', () => {
    const svg = wireBytesChart(series, { highlight: 10 }, { document: testDocument() });
    expect(svg.querySelector('desc')!.textContent).toBe(
      'At 10 bytes of payload: Frame A 12 bytes; Packet B 19 bytes. Smallest: Frame A; the largest costs 7 bytes more.',
    );
    // one rule + one marker per series
    expect(svg.querySelectorAll('g.highlight > *').length).toBe(3);
  });

  it('starts both axes at zero so overhead is not exaggerated', () => {
    const svg = wireBytesChart(series, {}, { document: testDocument() });
    const tickLabels = [...svg.querySelectorAll('g.axes g.tick text')].map((t) => t.textContent);
    expect(tickLabels.filter((t) => t === '0').length).toBe(2);
  });
});

describe('a phone-width wire bytes chart', () => {
  it('leaves out tick labels that would touch their neighbour, keeping the end', () => {
    // x = v / 10 px; 11 px digits about 6.82 px each. "3,000" at 300 starts at 282.95; "1,448"
    // at 144.8 ends at 161.85 (+6 gap): kept. "500" ends at 60.23 + 6, before 127.75: kept;
    // "125" ends at 22.73 + 6, before 39.77: kept; "50" would end at 17.82, past "125"'s start
    // at 2.27: left out, and so are "10" and "0". 5,000 is past the end.
    expect(spacedTicks([0, 10, 50, 125, 500, 1448, 5000], 3000, (v) => v / 10)).toEqual([125, 500, 1448, 3000]);
  });

  it('wraps a legend label that would run off the drawing, and starts the legend at the edge', () => {
    const long: WireBytesSeries[] = [{ id: 'a', label: 'WebSocket frame, client to server (masked, with a 4-byte key)', points: [{ payloadBytes: 0, wireBytes: 6 }] }];
    const svg = wireBytesChart(long, { width: 358 }, { document: testDocument() });
    // (358 - 8 - 40) / 6.8 = 45 characters a line.
    expect([...svg.querySelectorAll('g.legend tspan')].map((t) => [t.getAttribute('x'), t.textContent])).toEqual([
      ['44', 'WebSocket frame, client to server (masked,'],
      ['44', 'with a 4-byte key)'],
    ]);
  });
});

describe('wireBytesTable', () => {
  it('has one row per payload size and one column per series', () => {
    expect(wireBytesTable(series)).toEqual({
      caption: 'Bytes on the wire per message',
      columns: ['Payload bytes', 'Frame A', 'Packet B'],
      rows: [ [0, 2, 9], [10, 12, 19], [200, 204, 210] ],
    });
  });
});

describe('wireBytesSummary', () => {
  it('says so when there is nothing to show', () => {
    expect(wireBytesSummary([])).toBe('No data yet.');
    expect(wireBytesSummary(series, 5)).toBe('No series has a point at 5 bytes of payload.');
  });
});

describe('wireBytesChart options', () => {
  it('plots the bytes beyond the payload in overhead mode, and says so on the y axis', () => {
    const svg = wireBytesChart(series, { measure: 'overhead', highlight: 200 }, { document: testDocument() });
    const labels = [...svg.querySelectorAll('g.axes > text')].map((t) => t.textContent);
    expect(labels).toContain('bytes beyond the payload');
    // overhead of Packet B is 9..10 bytes, so the y axis tops out near 10, not 210
    const yTicks = [...svg.querySelectorAll('g.axes > g:nth-of-type(2) g.tick text')].map((t) => Number(t.textContent!.replace(/,/g, '')));
    expect(Math.max(...yTicks)).toBeLessThanOrEqual(10);
  });

  it('marks the sizes where headers change on a symlog x axis', () => {
    const svg = wireBytesChart(series, { xScale: 'symlog' }, { document: testDocument() });
    const xTicks = [...svg.querySelectorAll('g.axes > g:first-of-type g.tick text')].map((t) => t.textContent);
    expect(xTicks).toEqual(['0', '10', '50', '125', '200']); // the sizes that matter, then the end of the axis
  });
});
