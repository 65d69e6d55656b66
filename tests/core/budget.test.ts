/**
 * The trace bound and the budgets that stop a running run (simulator/core/budget.ts, trace.ts):
 * exact counts, so each can fail.
 */
import { describe, expect, it } from 'vitest';
import { BYTES_PER_RECORD, CHECK_EVERY, MemoryBudgetExceeded, memoryCheck } from '../../simulator/core/budget.ts';
import { Scheduler } from '../../simulator/core/scheduler.ts';
import { TraceBuffer, type TraceRecord } from '../../simulator/core/trace.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';

const send = (t: number): TraceRecord => ({ t, kind: 'link-send', link: 'a->core', packet: t, bytes: 1 });
const app = (t: number): TraceRecord => ({ t, kind: 'app-send', flow: 'f', msg: t, bytes: 1 });

describe('TraceBuffer with a limit', () => {
  it('keeps the newest packet records and every message record, in emission order', () => {
    const trace = new TraceBuffer(3);
    for (let t = 0; t < 10; t++) trace.emit(t % 4 === 0 ? app(t) : send(t));
    // Emitted: app 0, send 1-3, app 4, send 5-7, app 8, send 9: the newest 3 sends are 6, 7, 9.
    expect(trace.all().map((r) => `${r.kind === 'app-send' ? 'app' : 'send'}${r.t}`)).toEqual(['app0', 'app4', 'send6', 'send7', 'app8', 'send9']);
    expect(trace.dropped).toBe(4);
  });

  it('lets go in batches: held stays within limit + max(1024, limit / 4)', () => {
    const trace = new TraceBuffer(10_000);
    for (let t = 0; t < 100_000; t++) trace.emit(send(t));
    // A batch goes when 12,501 are held (more than 10,000 + 2,500), back to 10,000: at emits
    // 12,501 + k x 2,501, the last at k = 34 (97,535); 2,465 emitted since: 12,465 held.
    expect(trace.held).toBe(12_465);
    // Reading trims to exactly the limit.
    expect(trace.all()).toHaveLength(10_000);
    expect(trace.dropped).toBe(90_000);
    expect(trace.all()[0]!.t).toBe(90_000);
  });
});

describe('the scheduler calls its check every CHECK_EVERY events', () => {
  it('with the time of the event that made the count', () => {
    const seen: number[] = [];
    const s = new Scheduler({ check: (now) => seen.push(now) });
    for (let i = 1; i <= 2 * CHECK_EVERY + 5; i++) s.at(i, () => {});
    s.run();
    expect(seen).toEqual([CHECK_EVERY, 2 * CHECK_EVERY]);
  });
});

describe('memoryCheck', () => {
  it('counts only what the run added to the probe, and falls back to the trace model', () => {
    let heap = 500;
    const check = memoryCheck({ budgetBytes: 100, probe: () => heap }, () => 0);
    heap = 600; // exactly the budget over the baseline: allowed
    expect(() => check(1)).not.toThrow();
    heap = 601;
    expect(() => check(2_000_000)).toThrow('the run used about 0 MB (heap), over its memory budget of 0 MB, and was stopped at t=2.000 s');
    const model = memoryCheck({ budgetBytes: 1000 }, () => 1001);
    expect(() => model(0)).toThrow(MemoryBudgetExceeded);
  });

  it('stops a run whose trace outgrows the budget, with no probe (as in a browser without one)', () => {
    const parsed = parseScenario({
      schema: 'wirelab/scenario@1',
      seed: 1,
      durationS: 100,
      nodes: [
        { id: 's', role: 'ws-server' },
        { id: 'c', role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 10 }] },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const budgetBytes = 20_000 * BYTES_PER_RECORD; // 20,000 records
    let stopped: MemoryBudgetExceeded | undefined;
    try {
      runScenario(parsed.scenario, { memory: { budgetBytes } });
    } catch (error) {
      if (!(error instanceof MemoryBudgetExceeded)) throw error;
      stopped = error;
    }
    expect(stopped?.measuredBy).toBe('trace');
    // Checked every 16,384 events; about 3 records per event, so the first check over 20,000
    // records is the one at 16,384 events: held is then over the budget but under 16,384 x 4 records.
    expect(stopped!.used).toBeGreaterThan(budgetBytes);
    expect(stopped!.used).toBeLessThan(CHECK_EVERY * 4 * BYTES_PER_RECORD);
  });
});
