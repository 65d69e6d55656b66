/**
 * The one place where a sans-IO engine meets time (aioquic keeps its timer and transmit glue in
 * one place too): call into the engine at the scheduler's current time, drain what it produced,
 * then arm one scheduler event at the engine's `nextTimer()`, which calls `handleTimer(now)` and
 * drains again. The runtime's TCP connections and every role drive their engines through it.
 *
 * Handlers run by `drain` may call into the engine again (write on connect, close on end): such
 * nested calls run at once but only mark the driver dirty; the outer drain loop then picks up
 * what they produced, so output always leaves in the order the engine made it, and the timer is
 * armed once, after everything was drained.
 */
import type { Micros } from '../core/time.ts';
import type { TimerHandle } from './api.ts';

/** What the driver needs of an engine: when it next wants waking, and the wake-up call. */
export interface TimedEngine {
  nextTimer(): Micros | undefined;
  handleTimer(now: Micros): void;
}

/** The scheduler as a driver sees it (a RoleContext is one). */
export interface DriverClock {
  now(): Micros;
  at(at: Micros, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

export interface DriverOptions {
  /** Moves what the engine produced to where it goes (bytes to TCP, events to traces and handlers). */
  drain(): void;
  /** Timers after this time are not armed (the end of the run). */
  horizon?: Micros;
  /** While false the driver arms nothing (the engine is closed for good). */
  active?(): boolean;
}

export class EngineDriver {
  #timer: TimerHandle | undefined;
  #draining = false;
  #dirty = false;
  #stopped = false;
  /** The timer's callback, made once (a closure per arm was 3 % of what a fleet run allocated). */
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.call(this.#wake);
  };
  readonly #wake = (now: Micros): void => this.engine.handleTimer(now);

  constructor(
    readonly engine: TimedEngine,
    readonly clock: DriverClock,
    readonly options: DriverOptions,
  ) {}

  /** Calls into the engine at the current time, then drains and re-arms. */
  call(fn: (now: Micros) => void): void {
    fn(this.clock.now());
    this.sync();
  }

  /** `call` for a function of one more argument, so a hot caller need not make a closure per call. */
  callWith<A>(fn: (now: Micros, arg: A) => void, arg: A): void {
    fn(this.clock.now(), arg);
    this.sync();
  }

  /** Drains until the engine has nothing more, then arms its timer (nested calls: see the file comment). */
  sync(): void {
    if (this.#draining) {
      this.#dirty = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#dirty = false;
        this.options.drain();
      } while (this.#dirty);
    } finally {
      this.#draining = false;
    }
    this.#arm();
  }

  /** No more timers: the engine is done with (its connection is gone). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.clock.cancel(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    const { clock, options } = this;
    let next = this.#stopped || (options.active !== undefined && !options.active()) ? undefined : this.engine.nextTimer();
    if (next !== undefined && options.horizon !== undefined && next > options.horizon) next = undefined;
    if (this.#timer !== undefined) {
      if (next === this.#timer.at) return;
      clock.cancel(this.#timer);
      this.#timer = undefined;
    }
    if (next === undefined) return;
    this.#timer = clock.at(Math.max(next, clock.now()), this.#onTimer);
  }
}
