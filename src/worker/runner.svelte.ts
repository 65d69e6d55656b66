/**
 * A simulation run as Svelte 5 reactive state, for widgets and the Lab (svelte.dev's habit: a
 * small class with `$state.raw` for values replaced whole, such as worker snapshots).
 *
 *   const runner = new SimRunner();
 *   runner.run(scenario, { seed });   // status 'running', progress streams in
 *   runner.snapshot                    // the last finished run (kept while a new one runs)
 *   runner.error                       // a SimError with a readable message, or null
 *   runner.cancel(); runner.reset();
 */
import type { RunOptions, RunProgress, RunSnapshot } from './api.ts';
import { SimClient, SimError, type SimClientOptions } from './client.ts';

export type RunStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export class SimRunner {
  status = $state<RunStatus>('idle');
  progress = $state.raw<RunProgress | null>(null);
  snapshot = $state.raw<RunSnapshot | null>(null);
  error = $state.raw<SimError | null>(null);
  readonly client: SimClient;
  #generation = 0;

  constructor(options: SimClientOptions & { client?: SimClient } = {}) {
    this.client = options.client ?? new SimClient(options);
  }

  get running(): boolean {
    return this.status === 'running';
  }

  /** Fraction done, 0-1 (0 when idle). */
  get fraction(): number {
    return this.progress?.fraction ?? 0;
  }

  /**
   * Runs `scenario`; a run already going is cancelled first (the newest request wins, so a widget
   * can simply call run() whenever a control changes). Resolves with the snapshot, or null when
   * the run failed or was replaced (then `error` says why, unless it was replaced).
   */
  async run(scenario: unknown, options: RunOptions = {}): Promise<RunSnapshot | null> {
    const generation = ++this.#generation;
    if (this.status === 'running') this.client.cancel();
    this.status = 'running';
    this.error = null;
    this.progress = { simTimeUs: 0, endTimeUs: 0, fraction: 0 };
    try {
      const snapshot = await this.client.run(scenario, options, (p) => {
        if (generation === this.#generation) this.progress = p;
      });
      if (generation !== this.#generation) return null;
      this.snapshot = snapshot;
      this.status = 'done';
      return snapshot;
    } catch (error) {
      if (generation !== this.#generation) return null;
      const e = error instanceof SimError ? error : new SimError('failed', String(error));
      if (e.kind === 'cancelled') {
        this.status = 'cancelled';
      } else {
        this.error = e;
        this.status = 'error';
      }
      return null;
    }
  }

  /** Stops the current run (the worker is terminated and restarted on the next run). */
  cancel(): void {
    if (this.status !== 'running') return;
    this.#generation++;
    this.client.cancel();
    this.status = 'cancelled';
  }

  /** Back to a clean state after an error: fresh worker, no error, keeps nothing running. */
  reset(): void {
    this.#generation++;
    this.client.cancel();
    this.error = null;
    this.progress = null;
    this.status = this.snapshot ? 'done' : 'idle';
  }
}
