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
  /** Optional: `at` for `fn(arg)`, so the driver needs no closure of its own for its timer. */
  atWith?<A>(at: Micros, fn: (arg: A) => void, arg: A): TimerHandle;
  /**
   * Optional, with `atWith`: moves a timer made by `atWith` to `at`, pending, cancelled or run,
   * as cancel then `atWith` with its function and `arg` would, reusing the handle
   * (core/scheduler.ts Scheduler.reschedule).
   */
  reschedule?<A>(handle: TimerHandle, at: Micros, arg: A): TimerHandle;
}

export interface DriverOptions {
  /** Moves what the engine produced to where it goes (bytes to TCP, events to traces and handlers). */
  drain(): void;
  /** Timers after this time are not armed (the end of the run). */
  horizon?: Micros;
  /** While false the driver arms nothing (the engine is closed for good). */
  active?(): boolean;
}

/** The wake-up call, one function for every driver: no closure per engine. */
function wake(now: Micros, engine: TimedEngine): void {
  engine.handleTimer(now);
}

export class EngineDriver {
  /** The timer's handle; kept once it ran or was cancelled when the clock can move it (reused, not made anew). */
  #timer: TimerHandle | undefined;
  /** Whether #timer is pending. */
  #armed = false;
  #draining = false;
  #dirty = false;
  #stopped = false;
  /** The timer's callback for a clock without `atWith`, made on first use. */
  #onTimer: (() => void) | undefined;

  readonly options: DriverOptions;

  /** `options` left out: the driver is its own (a subclass that implements them: ./connection.ts). */
  constructor(
    readonly engine: TimedEngine,
    readonly clock: DriverClock,
    options?: DriverOptions,
  ) {
    this.options = options ?? (this as unknown as DriverOptions);
  }

  /** The timer's callback (one function for every driver; a closure per arm was 3 % of what a fleet run allocated). */
  static #fire(driver: EngineDriver): void {
    driver.#armed = false;
    driver.callWith(wake, driver.engine, undefined);
  }

  /** Calls into the engine at the current time, then drains and re-arms. */
  call(fn: (now: Micros) => void): void {
    fn(this.clock.now());
    this.sync();
  }

  /** `call` for a function of two more arguments, so a hot caller need not make a closure per call. */
  callWith<A, B>(fn: (now: Micros, a: A, b: B) => void, a: A, b: B): void {
    fn(this.clock.now(), a, b);
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
    if (this.#armed) this.clock.cancel(this.#timer!);
    this.#armed = false;
    this.#timer = undefined;
  }

  #arm(): void {
    const { clock, options } = this;
    let next = this.#stopped || (options.active !== undefined && !options.active()) ? undefined : this.engine.nextTimer();
    if (next !== undefined && options.horizon !== undefined && next > options.horizon) next = undefined;
    const timer = this.#timer;
    if (this.#armed) {
      if (next === timer!.at) return;
      if (next === undefined) {
        clock.cancel(timer!);
        this.#armed = false;
        return;
      }
    } else if (next === undefined) return;
    // Cancel and arm anew, in one move when the clock can (a timer restarted by every ACK).
    const at = Math.max(next, clock.now());
    if (clock.atWith !== undefined) {
      this.#timer = timer !== undefined && clock.reschedule !== undefined ? clock.reschedule(timer, at, this) : this.#atWith(clock, at);
    } else {
      if (this.#armed) clock.cancel(timer!);
      this.#timer = clock.at(at, (this.#onTimer ??= () => EngineDriver.#fire(this)));
    }
    this.#armed = true;
  }

  #atWith(clock: DriverClock, at: Micros): TimerHandle {
    if (this.#armed) clock.cancel(this.#timer!);
    return clock.atWith!(at, EngineDriver.#fire, this);
  }
}
