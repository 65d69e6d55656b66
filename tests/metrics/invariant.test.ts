import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../simulator/core/trace.ts';
import { flowMetrics } from '../../simulator/metrics/flows.ts';

const FLOWS = ['f0', 'f1', 'f2'];

const messageRecord = fc.record({
  t: fc.integer({ min: 0, max: 1_000_000 }),
  kind: fc.constantFrom('app-send', 'app-deliver', 'app-lost'),
  flow: fc.constantFrom(...FLOWS, 'undeclared'),
  msg: fc.integer({ min: 0, max: 12 }),
  bytes: fc.integer({ min: 0, max: 2000 }),
});

function toRecord(r: { t: number; kind: string; flow: string; msg: number; bytes: number }): TraceRecord {
  if (r.kind === 'app-lost') return { t: r.t, kind: 'app-lost', flow: r.flow, msg: r.msg, reason: 'test' };
  if (r.kind === 'app-send') return { t: r.t, kind: 'app-send', flow: r.flow, msg: r.msg, bytes: r.bytes };
  return { t: r.t, kind: 'app-deliver', flow: r.flow, msg: r.msg, bytes: r.bytes };
}

describe('sent = delivered + lost + inFlight', () => {
  it('holds for any sequence of message records', () => {
    fc.assert(
      fc.property(fc.array(messageRecord, { maxLength: 200 }), (raw) => {
        const records: TraceRecord[] = [
          ...FLOWS.map((flow): TraceRecord => ({ t: 0, kind: 'flow', flow, protocol: 'mqtt', from: 'a', to: 'b' })),
          ...raw.map(toRecord),
        ];
        const flows = flowMetrics(records);
        expect(flows.map((f) => f.flow)).toEqual(FLOWS);
        for (const f of flows) {
          expect(f.delivered + f.lost + f.inFlight).toBe(f.sent);
          for (const n of [f.sent, f.delivered, f.lost, f.inFlight, f.duplicates]) expect(n).toBeGreaterThanOrEqual(0);
          // Independent count: distinct messages with an app-send.
          const sentMsgs = new Set(raw.filter((r) => r.flow === f.flow && r.kind === 'app-send').map((r) => r.msg));
          expect(f.sent).toBe(sentMsgs.size);
          // Every delivery of a sent message is either its first (delivered) or a duplicate.
          const deliveries = raw.filter((r) => r.flow === f.flow && r.kind === 'app-deliver' && sentMsgs.has(r.msg)).length;
          expect(f.delivered + f.duplicates).toBe(deliveries);
          if (f.delivered === 0) expect(f.latencyMs.p50).toBeNull();
        }
      }),
    );
  });
});
