/**
 * Budgets that stop a running run cleanly: events executed (./scheduler.ts EventBudgetExceeded)
 * and memory (MemoryBudgetExceeded, here). Memory is measured by a probe the caller injects
 * (the CLI passes Node's heap and array-buffer figures, the worker Chrome's heap size when it has
 * one), and otherwise by what the run itself holds (the kept trace's columns and the metrics'
 * state per message: ../runtime/run.ts), so the simulator stays
 * sans-IO and a run with no probe is still bounded. Checked every CHECK_EVERY events.
 */
import type { Micros } from './time.ts';

/** Events between two memory checks: cheap enough to be invisible, often enough to stop in time. */
export const CHECK_EVERY = 16_384;

/** Default memory budget of one run: 1.5 GiB (the documented bound, docs/ARCHITECTURE.md "Limits"). */
export const DEFAULT_MEMORY_BUDGET_BYTES = 1.5 * 1024 * 1024 * 1024;

/** Heap bytes of one trace record kept as an object, rounded up from measurement (about 120 in Node 22); the estimate's unit. */
export const BYTES_PER_RECORD = 160;

/**
 * Bytes the metrics reducer holds per message (../metrics/flows.ts: a flag byte and a double,
 * 9 bytes, in columns the flows share, handed out 16 messages at a time: ../metrics/message-pages.ts).
 * Measured with bench/metrics-bytes.ts on the 1,000-device fleet (bench/fleet.ts) run for 20, 60
 * and 120 s when each flow had columns of its own that doubled when full: each further message
 * added 7.4, then 9.3 bytes; rounded up from the 18 of just-doubled columns, an upper bound. What the reducer holds per flow,
 * link and connection (about 2.1 KB a device in that fleet) is not counted: it is bounded by the
 * node count, not by the run's length.
 */
export const BYTES_PER_MESSAGE = 20;

/** Default event budget of one run (a runaway model is stopped after this many events). */
export const DEFAULT_EVENT_BUDGET = 20_000_000;

export class MemoryBudgetExceeded extends Error {
  readonly code = 'memory-budget-exceeded';
  constructor(
    readonly budget: number,
    readonly used: number,
    readonly at: Micros,
    readonly measuredBy: 'heap' | 'trace',
  ) {
    super(
      `the run used about ${Math.round(used / 1e6)} MB (${measuredBy === 'heap' ? 'heap' : 'trace and metrics held'}), over its memory budget of ${Math.round(budget / 1e6)} MB, and was stopped at t=${(at / 1e6).toFixed(3)} s`,
    );
    this.name = 'MemoryBudgetExceeded';
  }
}

export interface MemoryBudget {
  /** Most bytes the run may use (default DEFAULT_MEMORY_BUDGET_BYTES). */
  budgetBytes?: number;
  /** Bytes in use now (heap and buffers), if the platform can tell. */
  probe?: () => number | undefined;
}

/**
 * A check for the scheduler: throws MemoryBudgetExceeded when the probe (or, without one,
 * `modelBytes`, the trace's count) is over the budget. The probe's first reading is the baseline:
 * only what the run adds counts.
 */
export function memoryCheck(budget: MemoryBudget, modelBytes: () => number): (now: Micros) => void {
  const limit = budget.budgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const baseline = budget.probe?.();
  return (now) => {
    const heap = baseline === undefined ? undefined : budget.probe!();
    if (heap !== undefined && baseline !== undefined) {
      if (heap - baseline > limit) throw new MemoryBudgetExceeded(limit, heap - baseline, now, 'heap');
    }
    const model = modelBytes();
    if (model > limit) throw new MemoryBudgetExceeded(limit, model, now, 'trace');
  };
}
