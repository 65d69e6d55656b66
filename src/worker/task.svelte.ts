/**
 * "Ask the worker; the newest answer wins; show progress and errors", once, as Svelte 5 state
 * (svelte.dev's `Bundler.svelte.ts` habit: worker state in one class, `#private` fields behind
 * getters, `$state.raw` for answers replaced whole). Every widget and the Lab use it:
 *
 *   const overhead = courseTask('overhead');        // a course module, on the shared worker
 *   overhead.request(input);                        // call whenever a control changes
 *   overhead.result / .error / .status / .progress  // reactive
 *
 * An answer to an older request is dropped, so controls can fire requests freely. With
 * `cancelStale` (long runs on a worker of their own: the Lab) a newer request also stops the run
 * it replaces; on the shared worker older calls simply finish and are ignored.
 */
import type { CourseInput, CourseName, CourseOutput, RunProgress } from './api.ts';
import { sharedClient, SimClient, SimError } from './client.ts';

export type TaskStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export interface WorkerTaskOptions<O> {
  /** The worker to ask (default: the page's shared one). */
  client?: SimClient;
  /** Terminate the worker when a newer request replaces a running one (only with a client of its own). */
  cancelStale?: boolean;
  /** An answer to show before the first request (computed at build time). */
  initial?: O | null;
}

export type Perform<I, O> = (client: SimClient, input: I, onProgress: (p: RunProgress) => void) => Promise<O>;

export class WorkerTask<I, O> {
  #status = $state<TaskStatus>('idle');
  #progress = $state.raw<RunProgress | null>(null);
  #result = $state.raw<O | null>(null);
  #error = $state.raw<SimError | null>(null);
  #generation = 0;
  readonly #perform: Perform<I, O>;
  readonly #cancelStale: boolean;
  readonly client: SimClient;

  constructor(perform: Perform<I, O>, options: WorkerTaskOptions<O> = {}) {
    this.#perform = perform;
    this.client = options.client ?? sharedClient();
    this.#cancelStale = options.cancelStale ?? false;
    if (options.initial) {
      this.#result = options.initial;
      this.#status = 'done';
    }
  }

  get status(): TaskStatus {
    return this.#status;
  }
  /** The newest answer (kept while a newer request runs, and after an error). */
  get result(): O | null {
    return this.#result;
  }
  /** Why the newest request failed (a readable message), or null. */
  get error(): SimError | null {
    return this.#error;
  }
  get progress(): RunProgress | null {
    return this.#progress;
  }
  get running(): boolean {
    return this.#status === 'running';
  }
  /** Fraction done, 0-1 (0 when idle). */
  get fraction(): number {
    return this.#progress?.fraction ?? 0;
  }

  /**
   * Asks the worker. Resolves with the answer, or null when the request failed (then `error` says
   * why) or a newer request replaced it.
   */
  async request(input: I): Promise<O | null> {
    const generation = ++this.#generation;
    if (this.#cancelStale && this.#status === 'running') this.client.cancel();
    this.#status = 'running';
    this.#progress = { simTimeUs: 0, endTimeUs: 0, fraction: 0 };
    try {
      const result = await this.#perform(this.client, input, (p) => {
        if (generation === this.#generation) this.#progress = p;
      });
      if (generation !== this.#generation) return null;
      this.#result = result;
      this.#error = null;
      this.#status = 'done';
      return result;
    } catch (error) {
      if (generation !== this.#generation) return null;
      const e = error instanceof SimError ? error : new SimError('failed', String(error));
      if (e.kind === 'cancelled') {
        this.#status = 'cancelled';
      } else {
        this.#error = e;
        this.#status = 'error';
      }
      return null;
    }
  }

  /** Stops the current request (terminates the worker; the next request starts a fresh one). */
  cancel(): void {
    if (this.#status !== 'running') return;
    this.#generation++;
    this.client.cancel();
    this.#status = 'cancelled';
  }

  /** Back to a clean state after an error: fresh worker, no error, nothing running. */
  reset(): void {
    this.#generation++;
    this.client.cancel();
    this.#error = null;
    this.#progress = null;
    this.#status = this.#result ? 'done' : 'idle';
  }
}

/** A course module (src/worker/course/) as a task on the shared worker. */
export function courseTask<K extends CourseName>(name: K, options: Omit<WorkerTaskOptions<CourseOutput<K>>, 'cancelStale'> = {}): WorkerTask<CourseInput<K>, CourseOutput<K>> {
  return new WorkerTask<CourseInput<K>, CourseOutput<K>>((client, input) => client.course(name, input), options);
}
