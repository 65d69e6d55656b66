/**
 * The flow metrics keep each message's flags and time in columns every flow shares, handed out a
 * page of 16 rows at a time in chunks of 4,096 (simulator/metrics/message-pages.ts). Many flows
 * whose messages interleave, across pages and chunks, each get exactly their own figures.
 */
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { flowMetrics } from '../../simulator/metrics/flows.ts';
import { MessagePages } from '../../simulator/metrics/message-pages.ts';

describe('shared message columns', () => {
  it('hands out pages of 16 rows, adding a chunk of 4,096 rows when the last is full', () => {
    const pages = new MessagePages();
    const first = [pages.page(), pages.page(), pages.page()];
    expect(first).toEqual([0, 16, 32]);
    for (let i = 3; i < 256; i++) pages.page();
    expect(pages.flags).toHaveLength(1);
    expect(pages.page()).toBe(4096); // page 256 starts the second chunk
    expect(pages.flags).toHaveLength(2);
    expect(pages.times).toHaveLength(2);
    expect(pages.rows).toBe(257 * 16);
  });

  it('gives 300 interleaved flows of 20 messages (9,600 rows in 3 chunks) and one out-of-order flow their own figures', () => {
    const records: TraceRecord[] = [];
    const flows = 300;
    for (let k = 0; k < flows; k++) records.push({ t: 0, kind: 'flow', flow: `f${k}`, protocol: 'mqtt', from: `d${k}`, to: 'dash' });
    records.push({ t: 0, kind: 'flow', flow: 'late', protocol: 'mqtt', from: 'x', to: 'dash' });
    for (let m = 0; m < 20; m++) {
      for (let k = 0; k < flows; k++) {
        const t = m * 1_000_000 + k;
        records.push({ t, kind: 'app-send', flow: `f${k}`, msg: m, bytes: 10 });
        // Every third flow loses its odd messages; the rest arrive k + m ms after they were sent.
        if (k % 3 === 0 && m % 2 === 1) records.push({ t: t + 1, kind: 'app-lost', flow: `f${k}`, msg: m, reason: 'test' });
        else records.push({ t: t + (k + m) * 1000, kind: 'app-deliver', flow: `f${k}`, msg: m, bytes: 10 });
      }
      // 'late' numbers its messages backwards (19 first): slots by map, message 19 - m in slot m.
      const msg = 19 - m;
      records.push({ t: m * 1_000_000, kind: 'app-send', flow: 'late', msg, bytes: 5 });
      records.push({ t: m * 1_000_000 + (msg + 1) * 1000, kind: 'app-deliver', flow: 'late', msg, bytes: 5 });
    }
    // Two more deliveries of f1's message 0: duplicates.
    records.push({ t: 30_000_000, kind: 'app-deliver', flow: 'f1', msg: 0, bytes: 10 });
    records.push({ t: 30_000_001, kind: 'app-deliver', flow: 'f1', msg: 0, bytes: 10 });

    const got = new Map(flowMetrics(records).map((f) => [f.flow, f]));
    for (let k = 0; k < flows; k++) {
      const f = got.get(`f${k}`)!;
      const figures = [f.sent, f.delivered, f.lost, f.inFlight, f.duplicates, f.latencyMs];
      if (k % 3 === 0) {
        // Even messages only: latencies k, k+2, ..., k+18 ms (10 values). Nearest rank: p50 is the
        // 5th (k+8), p95 and p99 the 10th (k+18).
        expect(figures).toEqual([20, 10, 10, 0, 0, { p50: k + 8, p95: k + 18, p99: k + 18, max: k + 18 }]);
      } else {
        // Latencies k .. k+19 ms (20 values): p50 the 10th (k+9), p95 the 19th (k+18), p99 the 20th.
        expect(figures).toEqual([20, 20, 0, 0, k === 1 ? 2 : 0, { p50: k + 9, p95: k + 18, p99: k + 19, max: k + 19 }]);
      }
    }
    // Message n of 'late' took n + 1 ms: latencies 1 .. 20.
    const late = got.get('late')!;
    expect([late.sent, late.delivered, late.lost, late.latencyMs]).toEqual([20, 20, 0, { p50: 10, p95: 19, p99: 20, max: 20 }]);
  });
});
