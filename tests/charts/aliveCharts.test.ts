/**
 * Chapter 7's charts: time to detect per end, and the four-lane timeline. Pure functions from data
 * to SVG (drawn here into linkedom), with their summaries and table twins.
 */
import { describe, expect, it } from 'vitest';
import { MIN_FONT_PX } from '../../src/charts/common.ts';
import { aliveDetectChart, aliveDetectSummary, aliveDetectTable, type DetectRow } from '../../src/charts/aliveDetect.ts';
import { aliveTimelineChart, aliveTimelineSummary, aliveTimelineTable, type Lane, type LaneMark } from '../../src/charts/aliveTimeline.ts';
import { testDocument } from './dom.ts';

const rows: DetectRow[] = [
  { id: 'ws-server', label: 'WebSocket server (ws)', detectMs: 30_150, diedAtMs: 120_000, how: 'no pong' },
  { id: 'ws-browser', label: 'Browser (WebSocket)', detectMs: null, diedAtMs: 120_000, how: 'not within the run' },
  { id: 'mqtt-broker', label: 'MQTT broker', detectMs: null, diedAtMs: null, how: 'stayed alive' },
];

describe('aliveDetectChart', () => {
  it('draws a bar per end that noticed, a hatched bar to the run end for one that did not, none for a live connection', () => {
    const svg = aliveDetectChart(rows, { width: 600, runMs: 1_800_000 }, { document: testDocument() });
    const bars = [...svg.querySelectorAll('rect[data-side]')];
    expect(bars.map((b) => [b.getAttribute('data-side'), b.getAttribute('fill')])).toEqual([
      ['ws-server', '#2f7fe0'],
      ['ws-browser', 'url(#wl-alive-hatch)'],
    ]);
    // The axis spans the longest possible wait, 1,800 - 120 = 1,680 s, niced to 1,800: the hatched
    // bar ends at 1,680 s, so it is 1680/1800 of the plot; the detected one 30.15/1800.
    const w = (b: Element) => Number(b.getAttribute('width'));
    expect(Math.round((w(bars[1]!) / w(bars[0]!)) * 1000) / 1000).toBe(Math.round((1680 / 30.15) * 1000) / 1000);
  });

  it('says the same in words and as a table', () => {
    expect(aliveDetectSummary(rows)).toBe('WebSocket server (ws): noticed after 30.15 s. Browser (WebSocket): never noticed. MQTT broker: stayed alive.');
    expect(aliveDetectTable(rows).rows).toEqual([
      ['WebSocket server (ws)', 120, 30.15, 'no pong'],
      ['Browser (WebSocket)', 120, 'never (within the run)', 'not within the run'],
      ['MQTT broker', 'stayed alive', '—', 'stayed alive'],
    ]);
  });
});

const lanes: Lane[] = [
  { id: 'ws-server', label: 'WebSocket server (ws)', short: 'ws server', diedAtMs: 120_000 },
  { id: 'mqtt-device', label: 'MQTT device (mqtt.js)', short: 'device', diedAtMs: null },
];
const marks: LaneMark[] = [
  { lane: 'ws-server', tMs: 120_150, kind: 'keepalive', text: 'sent: ping' },
  { lane: 'ws-server', tMs: 120_175, kind: 'lost', text: 'lost: dropped' },
  { lane: 'ws-server', tMs: 150_150, kind: 'closed', text: 'closed: code 1006' },
  { lane: 'mqtt-device', tMs: 60_300, kind: 'keepalive', text: 'sent: PINGREQ' },
];

describe('aliveTimelineChart', () => {
  it('puts each mark on its lane with its shape, a dashed line where a connection died, a line per alert', () => {
    const svg = aliveTimelineChart(lanes, marks, { width: 600, runMs: 1_800_000, alertsMs: [300_000, 600_000] }, { document: testDocument() });
    const kinds = [...svg.querySelectorAll('g.marks > g')].map((g) => [g.getAttribute('data-kind'), g.children.length]);
    expect(kinds).toEqual([['keepalive', 2], ['message', 0], ['lost', 1], ['retransmit', 0], ['connect', 0], ['closed', 1]]);
    // One on the WebSocket server's lane, one in the legend.
    expect(svg.querySelectorAll('line[stroke-dasharray]').length).toBe(2);
    // Ticks every 5 minutes on a desktop: 0, 5, ... 30.
    expect([...svg.querySelectorAll('.tick text')].map((t) => t.textContent)).toEqual(['0', '5', '10', '15', '20', '25', '30']);
  });

  it('keeps every text legible on a phone', () => {
    const svg = aliveTimelineChart(lanes, marks, { width: 358, runMs: 1_800_000, alertsMs: [] }, { document: testDocument() });
    expect([...svg.querySelectorAll('.tick text')].map((t) => t.textContent)).toEqual(['0', '10', '20', '30']);
    const sizes = [...svg.querySelectorAll('[font-size]')].map((n) => Number(n.getAttribute('font-size')));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(MIN_FONT_PX);
  });

  it('says the same in words and as a table', () => {
    expect(aliveTimelineSummary(lanes, marks)).toBe(
      'WebSocket server (ws): 1 keepalive packet, 0 alerts, 1 dropped, 0 retransmissions; learned its connection was gone at 2.5 min. MQTT device (mqtt.js): 1 keepalive packet, 0 alerts, 0 dropped, 0 retransmissions; never learned its connection was gone.',
    );
    expect(aliveTimelineTable(lanes, marks).rows[0]).toEqual([60.3, 'MQTT device (mqtt.js)', 'sent: PINGREQ']);
  });
});
