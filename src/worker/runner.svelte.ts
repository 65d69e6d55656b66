/**
 * A simulation run as Svelte 5 reactive state, for the Lab: a `WorkerTask` (./task.svelte.ts) on
 * a worker of its own, where a new run stops the one it replaces.
 *
 *   const runner = new SimRunner();
 *   runner.run(scenario, { seed });   // status 'running', progress streams in
 *   runner.run(big, { seed, rows: { flows: 200 }, omitScenario: true });  // a snapshot the page takes in quickly
 *   runner.snapshot                    // the last finished run (kept while a new one runs)
 *   runner.error                       // a SimError with a readable message, or null
 *   runner.confirm();                  // a big run the worker asked about (error.kind 'confirm'): run it
 *   runner.cancel(); runner.reset();
 */
import type { RunOptions, RunSnapshot } from './api.ts';
import { SimClient, type SimClientOptions } from './client.ts';
import { WorkerTask } from './task.svelte.ts';

export type { TaskStatus as RunStatus } from './task.svelte.ts';

export class SimRunner extends WorkerTask<{ scenario: unknown; options: RunOptions }, RunSnapshot> {
  /** `initial`: a run to show before the first request (the Lab's default preset, computed at build time). */
  constructor(options: SimClientOptions & { client?: SimClient; initial?: RunSnapshot | null } = {}) {
    super(async (client, { scenario, options: runOptions }, onProgress) => {
      const snapshot = await client.run(scenario, runOptions, onProgress);
      // The worker left out the scenario it was sent (RunOptions.omitScenario): it is this one, run at the snapshot's seed.
      return runOptions.omitScenario && snapshot.scenario === null ? { ...snapshot, scenario: { ...(scenario as object), seed: snapshot.seed } } : snapshot;
    }, {
      client: options.client ?? new SimClient(options),
      cancelStale: true,
      initial: options.initial ?? null,
    });
  }

  /** The last finished run. */
  get snapshot(): RunSnapshot | null {
    return this.result;
  }

  #last: { scenario: unknown; options: RunOptions } | null = null;

  /** Runs `scenario`; a run already going is stopped first (the newest request wins). */
  run(scenario: unknown, options: RunOptions = {}): Promise<RunSnapshot | null> {
    this.#last = { scenario, options };
    return this.request(this.#last);
  }

  /** The reader agreed to the big run the worker asked about (error kind `confirm`): run it. */
  confirm(): Promise<RunSnapshot | null> {
    if (!this.#last || this.error?.kind !== 'confirm') return Promise.resolve(null);
    return this.run(this.#last.scenario, { ...this.#last.options, confirmed: true });
  }
}
