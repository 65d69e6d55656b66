/**
 * The page's side of the worker boundary: starts the simulator worker when first needed, wraps it
 * with comlink, and turns every way a run can go wrong into a `SimError` with a readable message:
 *
 * - `invalid-scenario`: the scenario did not validate (`details` has one line per problem);
 * - `too-big`: valid, but its estimate passes a run limit, so it was not started (`details` names them);
 * - `confirm`: within the limits but big, so not started until the reader agrees (run again with
 *   `confirmed: true`; `message` says what it would take);
 * - `failed`: the simulation threw (a model error, an exhausted event budget...);
 * - `crashed`: the worker died or could not start;
 * - `stalled`: a run or course call made no progress for `stallMs` (no simulated time passed and
 *   no trace record or packet was counted: a worker stuck in a loop): the worker is terminated. A busy run (thousands of clients
 *   connecting in its first simulated milliseconds) emits records all along and is never stopped;
 *   a run that makes events without end meets its event budget;
 * - `cancelled`: the caller cancelled.
 *
 * Cancel, crash and stall all terminate the worker; the next call starts a fresh one, so a widget
 * always recovers with "reset" and never shows a blank box.
 */
import * as Comlink from 'comlink';
import type { CourseInput, CourseName, CourseOutput, CourseProgress, RunOptions, RunOutcome, RunProgress, RunSnapshot, SimApi } from './api.ts';

export type SimErrorKind = 'invalid-scenario' | 'too-big' | 'confirm' | 'failed' | 'crashed' | 'stalled' | 'cancelled';

export class SimError extends Error {
  constructor(
    readonly kind: SimErrorKind,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'SimError';
  }
}

export interface SimClientOptions {
  /** A run with no progress (no simulated time, no trace record) for this long is treated as stuck and stopped (ms, default 20 000). */
  stallMs?: number;
  /** How to start the worker (tests pass their own). */
  createWorker?: () => Worker;
}

export function createSimWorker(): Worker {
  return new Worker(new URL('./sim.worker.ts', import.meta.url), { type: 'module', name: 'wirelab-sim' });
}

interface Pending {
  reject(error: SimError): void;
}

export class SimClient {
  readonly stallMs: number;
  readonly #createWorker: () => Worker;
  #worker: Worker | null = null;
  #remote: Comlink.Remote<SimApi> | null = null;
  #pending = new Set<Pending>();
  /** The watchdog of the watched calls (`#watched`) and how many of them are pending. */
  #stall: ReturnType<typeof setTimeout> | undefined;
  #watchers = 0;

  constructor(options: SimClientOptions = {}) {
    this.stallMs = options.stallMs ?? 20_000;
    this.#createWorker = options.createWorker ?? createSimWorker;
  }

  /** True while a worker exists (started and not terminated). */
  get started(): boolean {
    return this.#worker !== null;
  }

  /**
   * Calls the worker, rejecting with a SimError if it fails, crashes, or is terminated meanwhile.
   * For the small synchronous methods (byte inspection, validation, trace pages, course figures):
   * one that has not answered after `timeoutMs` (default 30 s; 0 for none) is treated as runaway
   * and the worker is stopped.
   */
  call<T>(fn: (api: Comlink.Remote<SimApi>) => Promise<T>, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<T> {
    let remote: Comlink.Remote<SimApi>;
    try {
      remote = this.#ensure();
    } catch (error) {
      return Promise.reject(new SimError('crashed', `The simulator could not start: ${messageOf(error)}`));
    }
    return new Promise<T>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.#terminate(
                new SimError('stalled', `The simulator did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} and was stopped. Reset to try again.`),
              );
            }, timeoutMs)
          : undefined;
      const entry: Pending = {
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#pending.add(entry);
      fn(remote).then(
        (value) => {
          clearTimeout(timer);
          this.#pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.#pending.delete(entry);
          reject(toSimError(error));
        },
      );
    });
  }

  /** Validates and runs `scenario` in the worker; resolves with its snapshot. */
  async run(scenario: unknown, options: RunOptions = {}, onProgress?: (p: RunProgress) => void): Promise<RunSnapshot> {
    // Progress is work done: simulated time moved, or more trace records were emitted (the
    // worker reports both while a run goes, ./runtime.ts RECORDS_PER_HEARTBEAT). A report that
    // says neither moved is not progress: a worker repeating itself is as stuck as a silent one.
    let last = { simTimeUs: -1, records: -1 };
    const outcome = await this.#watched<RunOutcome>((api, moved) =>
      api.run(
        scenario,
        options,
        Comlink.proxy((p: RunProgress) => {
          if (p.simTimeUs > last.simTimeUs || (p.records ?? -1) > last.records) moved();
          last = { simTimeUs: Math.max(last.simTimeUs, p.simTimeUs), records: Math.max(last.records, p.records ?? -1) };
          onProgress?.(p);
        }),
      ) as Promise<RunOutcome>,
    );
    if (!outcome.ok && outcome.confirm) throw new SimError('confirm', `This run is big: ${outcome.errors[0] ?? ''}.`);
    if (!outcome.ok && outcome.tooBig) throw new SimError('too-big', 'It was not started, so that this page stays usable:', outcome.errors);
    if (!outcome.ok) throw new SimError('invalid-scenario', 'The scenario is not valid.', outcome.errors);
    return outcome.snapshot;
  }

  /**
   * Runs course module `name` on `input` in the worker (SimApi `course`), typed by the registry.
   * Watched as a run is: its runs report their progress (./course/watch.ts), and a call that
   * reports nothing for `stallMs` is stopped, however long it has been going (a plan of
   * thousands of clients takes as long as it takes). A module that makes no run reports nothing
   * and answers at once; one stuck before its first run is stopped after `stallMs` all the same.
   */
  course<K extends CourseName>(name: K, input: CourseInput<K>, onProgress?: (p: CourseProgress) => void): Promise<CourseOutput<K>> {
    let work = 0;
    return this.#watched((api, moved) =>
      // comlink's Remote<> drops a method's type parameters: restore them here, once.
      (api.course as unknown as (n: K, i: CourseInput<K>, p: (p: CourseProgress) => void) => Promise<CourseOutput<K>>)(
        name,
        input,
        Comlink.proxy((p: CourseProgress) => {
          if (p.work > work) moved();
          work = Math.max(work, p.work);
          onProgress?.(p);
        }),
      ),
    );
  }

  /**
   * Makes a call watched for progress: `start` calls the worker and calls `moved` whenever it
   * reports work done. One watchdog covers every watched call of this client: the worker answers
   * one call at a time, so a call queued behind a long one hears nothing of its own while the
   * worker is busy, and progress of any call shows the worker is alive. When no watched call has
   * moved for `stallMs`, the worker is stopped and every pending call rejects with `stalled`.
   */
  async #watched<T>(start: (api: Comlink.Remote<SimApi>, moved: () => void) => Promise<T>): Promise<T> {
    this.#watchers++;
    this.#arm();
    try {
      // No overall time limit: a long call is fine as long as it makes progress.
      return await this.call<T>((api) => start(api, () => this.#arm()), { timeoutMs: 0 });
    } finally {
      if (--this.#watchers === 0) clearTimeout(this.#stall);
    }
  }

  #arm(): void {
    clearTimeout(this.#stall);
    this.#stall = setTimeout(() => {
      this.#terminate(
        new SimError(
          'stalled',
          `The simulation made no progress for ${this.stallMs >= 1000 ? `${Math.round(this.stallMs / 1000)} s` : `${this.stallMs} ms`} and was stopped. ` +
            'Try a shorter duration or fewer nodes, then run again.',
        ),
      );
    }, this.stallMs);
  }

  /** Stops whatever runs now (terminates the worker); pending calls reject with `cancelled`. */
  cancel(): void {
    this.#terminate(new SimError('cancelled', 'The run was cancelled.'));
  }

  /** Same as cancel: the next call starts a fresh worker. */
  dispose(): void {
    this.cancel();
  }

  #ensure(): Comlink.Remote<SimApi> {
    if (this.#remote) return this.#remote;
    const worker = this.#createWorker();
    worker.addEventListener('error', (event: ErrorEvent) => {
      event.preventDefault();
      const detail = event.message ? `: ${event.message}` : '';
      this.#terminate(new SimError('crashed', `The simulator stopped unexpectedly${detail}. Reset to start it again.`));
    });
    worker.addEventListener('messageerror', () => {
      this.#terminate(new SimError('crashed', 'The simulator sent a message the page could not read. Reset to start it again.'));
    });
    this.#worker = worker;
    this.#remote = Comlink.wrap<SimApi>(worker);
    return this.#remote;
  }

  #terminate(error: SimError): void {
    const worker = this.#worker;
    this.#worker = null;
    // Dropping the comlink wrapper is enough: terminating the worker ends both sides.
    this.#remote = null;
    worker?.terminate();
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Errors that come back through comlink lose their class; their `name` survives. */
function toSimError(error: unknown): SimError {
  if (error instanceof SimError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = messageOf(error);
  // Which budget stopped it, and how to raise it: the Lab keeps the documented budgets, the CLI takes options.
  if (name === 'EventBudgetExceeded')
    return new SimError(
      'failed',
      `The simulation was stopped by its event budget: ${message}. Shorten durationS or send less often; ` +
        'or export the scenario and run it with the command line, which can raise the budget: npx wirelab run scenario.json --max-events N (allows 2N events).',
    );
  if (name === 'MemoryBudgetExceeded')
    return new SimError(
      'failed',
      `The simulation was stopped by its memory budget: ${message}. Shorten durationS or send fewer messages; ` +
        'or export the scenario and run it with the command line, which can raise the budget: npx wirelab run scenario.json --memory-mb N.',
    );
  return new SimError('failed', `The simulation failed: ${message}`);
}

let shared: SimClient | null = null;

/** One client shared by the small calls of every widget on a page (byte inspection, validation). */
export function sharedClient(): SimClient {
  shared ??= new SimClient();
  return shared;
}
