import { describe, expect, it } from 'vitest';
import {
  latencyModel,
  latencySeriesStyle,
  messageLatencyChart,
  messageLatencySummary,
  messageLatencyTable,
  thinPoints,
  type LatencyMessage,
} from '../../src/charts/messageLatency.ts';
import { testDocument } from './dom.ts';

/** Two flows over a 5 s run: `a` has a 250 ms spike at 3 s, a loss at 2 s and one message still travelling at the end. */
const messages: LatencyMessage[] = [
  { flow: 'a', sentMs: 0, latencyMs: 50, status: 'delivered' },
  { flow: 'b', sentMs: 500, latencyMs: 40, status: 'delivered' },
  { flow: 'a', sentMs: 1000, latencyMs: 60, status: 'delivered' },
  { flow: 'b', sentMs: 1500, latencyMs: null, status: 'lost' },
  { flow: 'a', sentMs: 2000, latencyMs: null, status: 'lost' },
  { flow: 'b', sentMs: 2500, latencyMs: null, status: 'lost' },
  { flow: 'a', sentMs: 3000, latencyMs: 250, status: 'delivered' },
  { flow: 'a', sentMs: 4000, latencyMs: null, status: 'in-flight' },
];
/** The flow metrics' order; `c` sent nothing and gets no series. */
const options = { flows: ['b', 'a', 'c'], durationMs: 5000 };

describe('latencyModel', () => {
  it('makes one series per flow that sent something, in the given order, split by outcome', () => {
    const model = latencyModel(messages, options);
    expect(model.series.map((s) => s.flow)).toEqual(['b', 'a']);
    expect(model.series[0]).toEqual({ flow: 'b', points: [{ sentMs: 500, latencyMs: 40 }], delivered: [{ sentMs: 500, latencyMs: 40 }], lost: [1500, 2500], inFlight: [] });
    expect(model.series[1]!.points.map((p) => p.latencyMs)).toEqual([50, 60, 250]);
    expect(model.series[1]!.lost).toEqual([2000]);
    expect(model.series[1]!.inFlight).toEqual([4000]);
    expect([model.sent, model.delivered, model.lost, model.inFlight, model.drawn, model.slices]).toEqual([8, 4, 3, 1, 4, 0]);
    // x spans the run in seconds; y starts at 0 and is niced past the slowest message (250 -> 260, steps of 20).
    expect(model.xDomain).toEqual([0, 5]);
    expect(model.yDomain).toEqual([0, 260]);
    expect([model.medianLatencyMs, model.slowest]).toEqual([55, { flow: 'a', sentMs: 3000, latencyMs: 250 }]);
  });

  it('spans the x axis to the last send when the run length is not given', () => {
    expect(latencyModel(messages).xDomain).toEqual([0, 4]);
    expect(latencyModel(messages).series.map((s) => s.flow)).toEqual(['a', 'b']);
  });
});

describe('thinPoints', () => {
  const latencies = [5, 1, 9, 3, 3, 7, 2, 8, 8, 4];
  const points = latencies.map((latencyMs, i) => ({ sentMs: i * 100, latencyMs }));

  it('keeps every point within the budget', () => {
    expect(thinPoints(points, 10, 0, 1000)).toEqual({ points, slices: 0, steps: 0 });
  });

  it('past the budget, keeps the fastest and the slowest of each time slice (the first on ties), in send order', () => {
    // Budget 4: two slices, [0, 500) ms and [500, 1000) ms.
    const { points: kept, slices } = thinPoints(points, 4, 0, 1000);
    expect(slices).toBe(2);
    expect(kept).toEqual([
      { sentMs: 100, latencyMs: 1 },
      { sentMs: 200, latencyMs: 9 },
      { sentMs: 600, latencyMs: 2 },
      { sentMs: 700, latencyMs: 8 },
    ]);
  });

  it('spends the budget a crowded slice leaves over on the latencies between its fastest and slowest', () => {
    // 100 copies of one publish, all sent at 1 s (a fan-out), latencies 20, 21, ... 119 ms. Budget
    // 10: five slices, one filled, so that slice may keep 10: its fastest and slowest and one in
    // each of 8 steps of (119 - 20) / 8 = 12.375 ms: the first at or past 20, 32.375, 44.75,
    // 57.125, 69.5, 81.875, 94.25, 106.625 ms, i.e. 20, 33, 45, 58, 70, 82, 95, 107, and 119.
    // (The fastest and slowest alone were two dots for 9,998 deliveries in the Lab.)
    const fanOut = Array.from({ length: 100 }, (_, i) => ({ sentMs: 1000, latencyMs: 20 + i }));
    const { points: kept, slices, steps } = thinPoints(fanOut, 10, 0, 3000);
    expect([slices, steps]).toEqual([5, 8]);
    expect(kept.map((p) => p.latencyMs)).toEqual([20, 33, 45, 58, 70, 82, 95, 107, 119]);
    // The chart's model keeps at least 40 per flow: 20 slices, one filled, 38 steps of 99 / 38 =
    // 2.6 ms, each holding two or three of the latencies: 38 dots, and the slowest (119 ms, in the
    // last step after 117 took it) is the 39th.
    const model = latencyModel(fanOut.map((p) => ({ flow: 'all', ...p, status: 'delivered' as const })), { durationMs: 3000, maxPoints: 10 });
    expect(messageLatencySummary(model)).toContain('Drawn: 39 of 100 delivered messages (per flow, the fastest and the slowest in each of 20 time slices, and one in each of up to 38 steps of latency between).');
  });

  it('thins a big run to the budget, keeps its spike, and says so in the summary', () => {
    // 1,000 messages every 10 ms; one 900 ms spike at message 503.
    const many: LatencyMessage[] = Array.from({ length: 1000 }, (_, i) => ({ flow: 'f', sentMs: i * 10, latencyMs: i === 503 ? 900 : 20 + ((i * 7) % 13), status: 'delivered' }));
    const model = latencyModel(many, { durationMs: 10_000, maxPoints: 100 });
    expect(model.series[0]!.delivered.length).toBe(1000);
    expect([model.drawn, model.slices]).toEqual([100, 50]);
    expect(model.series[0]!.points).toContainEqual({ sentMs: 5030, latencyMs: 900 });
    expect(model.yDomain).toEqual([0, 900]);
    const svg = messageLatencyChart(model, {}, { document: testDocument() });
    expect(svg.querySelector('g.series path[data-series="f"]')!.getAttribute('data-points')).toBe('100');
    expect(svg.querySelector('g.legend text')!.textContent).toBe('f (1,000 sent, 0 lost)');
    expect(svg.querySelector('g.series path[data-series="f"]')!.getAttribute('d')!.match(/M/g)!.length).toBe(100);
    expect(messageLatencySummary(model)).toContain(
      'Drawn: 100 of 1,000 delivered messages (per flow, the fastest and the slowest in each of 50 time slices)',
    );
  });
});

describe('messageLatencyChart', () => {
  it('draws a dot per delivered message, a cross per lost one on the "lost" strip and a tick per message in flight', () => {
    const svg = messageLatencyChart(latencyModel(messages, options), {}, { document: testDocument() });
    expect(svg.querySelector('title')!.textContent).toBe('Latency of each message over time');
    expect(svg.getAttribute('role')).toBe('img');
    const series = [...svg.querySelectorAll('g.series > path')];
    // One path per flow; the first flow is painted last (on top).
    expect(series.map((g) => [g.getAttribute('data-series'), g.getAttribute('data-points')])).toEqual([['a', '3'], ['b', '1']]);
    // Flow b draws circles, flow a squares: told apart without colour. b's one message: sent at
    // 0.5 s (x = 72 + 0.1 * 628 = 134.8), 40 ms of 260 (y = 276 - 40 = 236).
    expect(series[1]!.getAttribute('d')).toBe('M130.8,236a4,4 0 1,0 8,0a4,4 0 1,0 -8,0Z');
    expect(series[0]!.getAttribute('d')!.match(/h8v8h-8Z/g)!.length).toBe(3);
    const lost = [...svg.querySelectorAll('g.strip-lost path')].map((p) => [p.getAttribute('data-series'), p.getAttribute('data-marks')]);
    expect(lost).toEqual([['b', '2'], ['a', '1']]);
    expect(svg.querySelector('g.strip-lost text')!.textContent).toBe('lost');
    expect([...svg.querySelectorAll('g.strip-in-flight path')].map((p) => p.getAttribute('data-marks'))).toEqual(['1']);
    const xTicks = [...svg.querySelectorAll('g.x-axis .tick text')].map((t) => t.textContent);
    expect([xTicks[0], xTicks.at(-1)]).toEqual(['0.0', '5.0']);
    expect([...svg.querySelectorAll('g.y-axis .tick text')].map((t) => t.textContent).at(-1)).toBe('250');
    expect([...svg.querySelectorAll('g.legend text')].map((t) => t.textContent)).toEqual(['b (3 sent, 2 lost)', 'a (5 sent, 1 lost)']);
  });

  it('places a lost message on its send time, below the plot', () => {
    const model = latencyModel([{ flow: 'a', sentMs: 2500, latencyMs: null, status: 'lost' }], { durationMs: 5000 });
    const svg = messageLatencyChart(model, { width: 720 }, { document: testDocument() });
    // x range 72..700: 2.5 s of 5 s is x = 386. No in-flight strip when nothing is in flight.
    expect(svg.querySelector('g.strip-lost path')!.getAttribute('d')).toBe('M382,287L390,295M382,295L390,287');
    expect(svg.querySelector('g.strip-in-flight')).toBeNull();
  });

  it('lists at most 20 flows in the legend, then says how many more', () => {
    const flows = Array.from({ length: 25 }, (_, i) => ({ flow: `flow-${i}`, sentMs: i * 10, latencyMs: 5, status: 'delivered' as const }));
    const svg = messageLatencyChart(latencyModel(flows), {}, { document: testDocument() });
    expect(svg.querySelectorAll('g.legend-item').length).toBe(20);
    expect(svg.querySelector('.legend-more')!.textContent).toBe('and 5 more flows (see the table)');
    expect(svg.querySelectorAll('g.series > path').length).toBe(25);
    // The first 36 flows each get their own colour and marker.
    const pairs = Array.from({ length: 36 }, (_, i) => JSON.stringify(latencySeriesStyle(i)));
    expect(new Set(pairs).size).toBe(36);
  });

  it('fits long flow names into their legend column, the full name in a tooltip', () => {
    const flows = Array.from({ length: 6 }, (_, i) => ({ flow: `mqtt:sensor-${i}/sensors/${i}->dash`, sentMs: i * 10, latencyMs: 5, status: 'delivered' as const }));
    const svg = messageLatencyChart(latencyModel(flows), {}, { document: testDocument() });
    // Two columns of (720 - 72 - 20) / 2 = 314 px: 42 characters of 6.8 px after the marker,
    // less " (1 sent, 0 lost)" (17): the name keeps 24 characters and an ellipsis.
    const labels = [...svg.querySelectorAll('g.legend-item text')];
    expect(labels[0]!.childNodes[0]!.textContent).toBe('mqtt:sensor-0/sensors/0-… (1 sent, 0 lost)');
    expect(labels[0]!.querySelector('title')!.textContent).toBe('mqtt:sensor-0/sensors/0->dash');
    expect(labels.every((l) => l.childNodes[0]!.textContent!.length <= 42)).toBe(true);
  });

  it('says "No messages were sent." when there is nothing to draw', () => {
    const empty = latencyModel([], { flows: ['a'] });
    const svg = messageLatencyChart(empty, {}, { document: testDocument() });
    expect(svg.querySelector('text')!.textContent).toBe('No messages were sent.');
    expect(svg.querySelector('desc')!.textContent).toBe('No messages were sent.');
    expect(messageLatencySummary(empty)).toBe('No messages were sent.');
    expect(messageLatencyTable(empty).rows).toEqual([]);
  });
});

describe('messageLatencySummary and messageLatencyTable', () => {
  it('sums up counts, the slowest message and where the losses are', () => {
    expect(messageLatencySummary(latencyModel(messages, options))).toBe(
      '2 flows, 8 messages sent: 4 delivered, 3 lost, 1 still in flight at the end. ' +
        'Median latency 55 ms; the slowest message (a, sent at 3 s) took 250 ms. ' +
        'Lost: b 2 (sent from 1.5 s to 2.5 s), a 1 (sent at 2 s).',
    );
  });

  it('counts messages per flow in round time slices, with median and highest latency', () => {
    const table = messageLatencyTable(latencyModel(messages, options));
    expect(table.columns).toEqual(['Flow', 'Sent from (s)', 'Sent before (s)', 'Sent', 'Delivered', 'Lost', 'In flight', 'Median latency (ms)', 'Highest latency (ms)']);
    expect(table.rows).toEqual([
      ['b', 0.5, 1, 1, 1, 0, 0, 40, 40],
      ['b', 1.5, 2, 1, 0, 1, 0, '', ''],
      ['b', 2.5, 3, 1, 0, 1, 0, '', ''],
      ['a', 0, 0.5, 1, 1, 0, 0, 50, 50],
      ['a', 1, 1.5, 1, 1, 0, 0, 60, 60],
      ['a', 2, 2.5, 1, 0, 1, 0, '', ''],
      ['a', 3, 3.5, 1, 1, 0, 0, 250, 250],
      ['a', 4, 4.5, 1, 0, 0, 1, '', ''],
    ]);
  });

  it('keeps the table within 48 rows when many flows share it, and gives one row per flow past 24 flows', () => {
    const many = Array.from({ length: 60 }, (_, i) => [0, 1000].map((sentMs) => ({ flow: `flow-${i}`, sentMs, latencyMs: 5 + (sentMs === 1000 ? i : 0), status: 'delivered' as const }))).flat();
    const rows = messageLatencyTable(latencyModel(many, { durationMs: 2000 })).rows;
    expect(rows.length).toBe(60);
    expect(rows[7]).toEqual(['flow-7', 0, 2, 2, 2, 0, 0, 8.5, 12]);
    // 12 flows over 2 s: at most 4 slices each, on round seconds (0.5 s).
    const twelve = messageLatencyTable(latencyModel(many.slice(0, 24), { durationMs: 2000 })).rows;
    expect(twelve.length).toBe(24);
    expect(twelve.slice(0, 2).map((r) => r.slice(0, 3))).toEqual([['flow-0', 0, 0.5], ['flow-0', 1, 1.5]]);
    // Two flows over the same 2 s get round slices (0.2 s): one row per flow and slice with a send.
    expect(messageLatencyTable(latencyModel(many.slice(0, 4), { durationMs: 2000 })).rows.map((r) => r.slice(0, 3))).toEqual([
      ['flow-0', 0, 0.2], ['flow-0', 1, 1.2], ['flow-1', 0, 0.2], ['flow-1', 1, 1.2],
    ]);
  });
});
