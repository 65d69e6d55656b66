/**
 * Chapter 8's chart: bytes per message at the publisher, the hub and one subscriber against the
 * number of subscribers, log-log (src/charts/fanoutCost.ts), with its summary and table twin.
 */
import { describe, expect, it } from 'vitest';
import { MIN_FONT_PX } from '../../src/charts/common.ts';
import { fanoutCostChart, fanoutCostSummary, fanoutCostTable, type FanoutChartPoint } from '../../src/charts/fanoutCost.ts';
import { testDocument } from './dom.ts';

// The defaults' figures (tests/widgets/course/fanout.test.ts): n x 167 + 52 out and 167 + n x 52 in at the broker.
const points: FanoutChartPoint[] = [1, 10, 100].map((n) => ({
  subscribers: n,
  mqtt: { publisher: 219, hub: n * 167 + 52 + 167 + n * 52, subscriber: 219 },
  ws: { publisher: 210, hub: n * 154 + 52 + 158 + n * 52, subscriber: 206 },
}));

describe('fanoutCostChart', () => {
  it('draws three places for each hub, with a marker per subscriber count', () => {
    const svg = fanoutCostChart(points, { width: 600 }, { document: testDocument() });
    const series = [...svg.querySelectorAll('g[data-series]')];
    expect(series.map((g) => g.getAttribute('data-series'))).toEqual(['mqtt-hub', 'mqtt-publisher', 'mqtt-subscriber', 'ws-hub', 'ws-publisher', 'ws-subscriber']);
    for (const g of series) expect(g.querySelectorAll('circle, rect, path').length).toBe(1 + 3);
    // The WebSocket lines are dashed, the MQTT ones solid.
    expect(series.map((g) => g.querySelector('path')!.getAttribute('stroke-dasharray'))).toEqual([null, null, null, '7 4', '7 4', '7 4']);
    const fonts = [...svg.querySelectorAll('[font-size]')].map((e) => Number(e.getAttribute('font-size')));
    expect(Math.min(...fonts)).toBeGreaterThanOrEqual(MIN_FONT_PX);
  });

  it('says the same in words and as a table', () => {
    // Broker: 1 -> 167 + 52 + 167 + 52 = 438; 100 -> 16,752 + 5,367 = 22,119.
    expect(fanoutCostSummary(points)).toBe(
      "Bytes per published message from 1 to 100 subscribers: the broker's link carried 438 bytes per message at 1 and 22,119 at 100; the server's link carried 416 bytes per message at 1 and 20,810 at 100. " +
        "The publisher's link carried 219 bytes (MQTT) and 210 (WebSocket) at every count, and each subscriber's 219 and 206. " +
        "For MQTT the publisher's and one subscriber's lines lie on top of each other: each of their links carries one copy of the message one way and one acknowledgement the other.",
    );
    expect(fanoutCostTable(points).rows[2]).toEqual([100, '219', '22,119', '219', '210', '20,810', '206']);
  });
});
