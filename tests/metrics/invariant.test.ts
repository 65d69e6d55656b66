import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { flowMetrics } from '../../simulator/metrics/flows.ts';

const FLOWS = ['f0', 'f1', 'f2'];

const messageRecord = fc.record({
  t: fc.integer({ min: 0, max: 1_000_000 }),
  kind: fc.constantFrom('app-send', 'app-deliver', 'app-lost'),
  flow: fc.constantFrom(...FLOWS, 'undeclared'),
  // Few message numbers and long lists, so one message often gets a send, deliveries and losses.
  msg: fc.integer({ min: 0, max: 4 }),
  bytes: fc.integer({ min: 0, max: 2000 }),
});

function toRecord(r: { t: number; kind: string; flow: string; msg: number; bytes: number }): TraceRecord {
  if (r.kind === 'app-lost') return { t: r.t, kind: 'app-lost', flow: r.flow, msg: r.msg, reason: 'test' };
  if (r.kind === 'app-send') return { t: r.t, kind: 'app-send', flow: r.flow, msg: r.msg, bytes: r.bytes };
  return { t: r.t, kind: 'app-deliver', flow: r.flow, msg: r.msg, bytes: r.bytes };
}

describe('flow counts against counts taken from the records themselves', () => {
  it('holds for any sequence of message records', () => {
    fc.assert(
      fc.property(fc.array(messageRecord, { maxLength: 200, size: 'medium' }), (raw) => {
        const records: TraceRecord[] = [
          ...FLOWS.map((flow): TraceRecord => ({ t: 0, kind: 'flow', flow, protocol: 'mqtt', from: 'a', to: 'b' })),
          ...raw.map(toRecord),
        ];
        const flows = flowMetrics(records);
        expect(flows.map((f) => f.flow)).toEqual(FLOWS);
        for (const f of flows) {
          for (const n of [f.sent, f.delivered, f.lost, f.inFlight, f.duplicates]) expect(n).toBeGreaterThanOrEqual(0);
          // Independent counts (inFlight is sent - delivered - lost by definition, so adding it
          // back proves nothing): distinct messages with an app-send; those of them with an
          // app-deliver, and the further deliveries; those with an app-lost and no delivery.
          const sentMsgs = new Set(raw.filter((r) => r.flow === f.flow && r.kind === 'app-send').map((r) => r.msg));
          expect(f.sent).toBe(sentMsgs.size);
          const deliveries = raw.filter((r) => r.flow === f.flow && r.kind === 'app-deliver' && sentMsgs.has(r.msg));
          const deliveredMsgs = new Set(deliveries.map((r) => r.msg));
          expect(f.delivered).toBe(deliveredMsgs.size);
          expect(f.duplicates).toBe(deliveries.length - deliveredMsgs.size);
          const lostMsgs = new Set(raw.filter((r) => r.flow === f.flow && r.kind === 'app-lost' && sentMsgs.has(r.msg) && !deliveredMsgs.has(r.msg)).map((r) => r.msg));
          expect(f.lost).toBe(lostMsgs.size);
          expect(f.inFlight).toBe(sentMsgs.size - deliveredMsgs.size - lostMsgs.size);
          if (f.delivered === 0) expect(f.latencyMs.p50).toBeNull();
        }
      }),
    );
  });
});
