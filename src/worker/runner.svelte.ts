/**
 * A simulation run as Svelte 5 reactive state, for the Lab: a `WorkerTask` (./task.svelte.ts) on
 * a worker of its own, where a new run stops the one it replaces.
 *
 *   const runner = new SimRunner();
 *   runner.run(scenario, { seed });   // status 'running', progress streams in
 *   runner.snapshot                    // the last finished run (kept while a new one runs)
 *   runner.error                       // a SimError with a readable message, or null
 *   runner.cancel(); runner.reset();
 */
import type { RunOptions, RunSnapshot } from './api.ts';
import { SimClient, type SimClientOptions } from './client.ts';
import { WorkerTask } from './task.svelte.ts';

export type { TaskStatus as RunStatus } from './task.svelte.ts';

export class SimRunner extends WorkerTask<{ scenario: unknown; options: RunOptions }, RunSnapshot> {
  constructor(options: SimClientOptions & { client?: SimClient } = {}) {
    super((client, { scenario, options: runOptions }, onProgress) => client.run(scenario, runOptions, onProgress), {
      client: options.client ?? new SimClient(options),
      cancelStale: true,
    });
  }

  /** The last finished run. */
  get snapshot(): RunSnapshot | null {
    return this.result;
  }

  /** Runs `scenario`; a run already going is stopped first (the newest request wins). */
  run(scenario: unknown, options: RunOptions = {}): Promise<RunSnapshot | null> {
    return this.request({ scenario, options });
  }
}
