/**
 * Chapter 4's charts: the latency CDF, the TCP timeline and the goodput curve beside Mathis. Pure
 * functions from data to SVG (drawn here into linkedom), with their summaries and table twins.
 */
import { describe, expect, it } from 'vitest';
import { goodputCurveChart, goodputCurveSummary, goodputCurveTable } from '../../src/charts/goodputCurve.ts';
import { latencyCdfChart, latencyCdfSummary, latencyCdfTable, logTicks, type CdfSeries } from '../../src/charts/latencyCdf.ts';
import { tcpTimelineChart, tcpTimelineSummary, tcpTimelineTable } from '../../src/charts/tcpTimeline.ts';
import { testDocument } from './dom.ts';

const series: CdfSeries[] = [
  { id: 'a', label: 'Stream A', latenciesMs: [50, 150, 50, 250], sent: 4 },
  { id: 'b', label: 'Stream B', latenciesMs: [60, 70, 80], sent: 4 },
];

describe('latencyCdfChart', () => {
  it('draws a step curve per stream that climbs to arrived / sent, with a legend naming losses', () => {
    const svg = latencyCdfChart(series, { width: 600 }, { document: testDocument() });
    const paths = [...svg.querySelectorAll('g.series path[data-series]')];
    expect(paths.map((p) => p.getAttribute('data-series'))).toEqual(['a', 'b']);
    // Four steps for A (one per message, the two 50 ms ones at the same x), three for B.
    expect(paths[0]!.getAttribute('d')!.match(/V/g)).toHaveLength(4);
    expect(paths[1]!.getAttribute('d')!.match(/V/g)).toHaveLength(3);
    const legend = [...svg.querySelectorAll('g.legend text')].map((t) => t.textContent);
    // Nearest rank: the median of [50, 50, 150, 250] is rank 2 = 50; of [60, 70, 80] rank 2 = 70.
    expect(legend).toEqual(['Stream A: median 50 ms', 'Stream B: median 70 ms, 1 of 4 never arrived']);
  });

  it('says the same in words and as a table', () => {
    expect(latencyCdfSummary(series)).toBe(
      'Stream A: 4 of 4 arrived; median 50 ms, 95th percentile 250 ms, slowest 250 ms. Stream B: 3 of 4 arrived; median 70 ms, 95th percentile 80 ms, slowest 80 ms.',
    );
    expect(latencyCdfTable(series).rows).toEqual([
      ['Stream A', 4, 4, 50, 250, 250, 250],
      ['Stream B', 4, 3, 70, 80, 80, 80],
    ]);
  });

  it('puts log ticks at 1-2-5 steps inside the domain', () => {
    expect(logTicks(40, 1300)).toEqual([50, 100, 200, 500, 1000]);
  });
});

describe('tcpTimelineChart', () => {
  const rows = [{ id: 'x', label: 'MQTT QoS 0' }, { id: 'y', label: 'WebSocket' }];
  const marks = [
    { row: 'x', kind: 'drop' as const, tMs: 100 },
    { row: 'x', kind: 'probe' as const, tMs: 400 },
    { row: 'y', kind: 'drop' as const, tMs: 50 },
    { row: 'y', kind: 'fast-retransmit' as const, tMs: 150 },
  ];

  it('draws one mark per event, grouped by kind, and shortens row names on a phone', () => {
    const wide = tcpTimelineChart(rows, marks, { width: 800 }, { document: testDocument() });
    expect(wide.querySelectorAll('g.marks [data-kind="drop"] > *')).toHaveLength(2);
    expect(wide.querySelectorAll('g.marks [data-kind="probe"] > *')).toHaveLength(1);
    expect([...wide.querySelectorAll('g.axes > text')].map((t) => t.textContent).slice(0, 2)).toEqual(['MQTT QoS 0', 'WebSocket']);
    const narrow = tcpTimelineChart(rows, marks, { width: 390 }, { document: testDocument() });
    expect([...narrow.querySelectorAll('g.axes > text')].map((t) => t.textContent).slice(0, 2)).toEqual(['QoS 0', 'WebSocket']);
  });

  it('counts per stream in words, and lists every event in time order', () => {
    expect(tcpTimelineSummary(rows, marks)).toBe(
      'MQTT QoS 0: 1 packet dropped; 0 fast retransmissions, 1 tail loss probe, 0 timeouts. WebSocket: 1 packet dropped; 1 fast retransmission, 0 tail loss probes, 0 timeouts.',
    );
    expect(tcpTimelineTable(rows, marks).rows.map((r) => r.slice(0, 2))).toEqual([[0.05, 'WebSocket'], [0.1, 'MQTT QoS 0'], [0.15, 'WebSocket'], [0.4, 'MQTT QoS 0']]);
  });
});

describe('goodputCurveChart', () => {
  const points = [
    { lossPct: 1, goodputKbps: 3000, mathisKbps: 2837 },
    { lossPct: 4, goodputKbps: null, mathisKbps: 1419 },
  ];

  it('draws the model through every point and the transfer only where it finished', () => {
    const svg = goodputCurveChart(points, { width: 600, congestion: 'reno', linkKbps: 10_000 }, { document: testDocument() });
    expect(svg.querySelector('path[data-series="mathis"]')!.getAttribute('d')!.match(/L/g)).toHaveLength(1);
    expect(svg.querySelectorAll('[data-series="simulated"] circle')).toHaveLength(1);
    expect(goodputCurveSummary(points, 'reno')).toBe('A 2 MB transfer with reno: 1% loss, 3,000 kbit/s (Mathis 2,837); 4% loss, did not finish (Mathis 1,419).');
    // 3000 / 2837 = 1.057...
    expect(goodputCurveTable(points, 'reno').rows).toEqual([[1, 3000, 2837, 1.06], [4, '—', 1419, '—']]);
  });
});
