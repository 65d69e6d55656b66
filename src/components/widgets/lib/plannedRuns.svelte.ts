/**
 * A widget whose answer is a plan of runs (chapter 8's fan-out, chapter 10's server load), once.
 * The answer at the defaults comes from the build; any other is computed live: the plan's runs go
 * to a worker of the widget's own one after another (a step course module), progress moves as
 * each goes, a newer setting stops the runs it replaces, and Cancel stops them. Each run comes back as
 * a few numbers, so thousands of clients never block the page. Small plans start when a setting
 * changes; above `autoRunMax` clients they wait for the reader's Run.
 */
import type { CourseInput, CourseName, CourseOutput, CourseProgress } from '../../../worker/api.ts';
import { SimClient, type SimError } from '../../../worker/client.ts';
import { WorkerTask, type Perform } from '../../../worker/task.svelte.ts';
import { sameInput, type InitialAnswer } from './initial.ts';

/** How an input becomes runs of step module `K`, and their answers one result. */
export interface RunPlan<I, O, K extends CourseName> {
  /** The course module that runs one step. */
  module: K;
  plan(input: I): CourseInput<K>[];
  /** A step's share of the work, for the progress bar. */
  weight(step: CourseInput<K>): number;
  /** The step in words ("MQTT broker, 1,000 devices"). */
  describe(step: CourseInput<K>): string;
  result(input: I, runs: CourseOutput<K>[]): O;
}

/** Runs the plan's steps in order, reporting progress over the whole plan as each ends. */
function performPlan<I, O, K extends CourseName>(plan: RunPlan<I, O, K>, onStep: (text: string) => void): Perform<I, O> {
  return async (client, input, onProgress) => {
    const steps = plan.plan(input);
    const total = steps.reduce((n, s) => n + plan.weight(s), 0);
    let done = 0;
    const runs: CourseOutput<K>[] = [];
    for (const [i, step] of steps.entries()) {
      onStep(`Run ${i + 1} of ${steps.length}: ${plan.describe(step)}`);
      // A run of thousands of clients takes as long as it takes: the client stops it only when
      // it stops reporting progress (SimClient.course). Its input is bounded by the module's
      // schema and the run by the simulator's event budget.
      // The bar moves with each hundredth of a run; the reports in between only feed the watchdog.
      const weight = plan.weight(step);
      let shown = -1;
      const report = (p: CourseProgress) => {
        if (p.fraction === shown) return;
        shown = p.fraction;
        onProgress({ simTimeUs: 0, endTimeUs: 0, fraction: (done + weight * p.fraction) / total });
      };
      runs.push(await client.course(plan.module, step, report));
      done += weight;
      onProgress({ simTimeUs: 0, endTimeUs: 0, fraction: done / total });
    }
    onStep('');
    return plan.result(input, runs);
  };
}

export abstract class PlannedRuns<I extends object, O extends { input: I }, K extends CourseName> {
  /** Which run of the plan is going on, in words. */
  step = $state('');
  /** The answer at the defaults, computed when the site was built. */
  readonly first: InitialAnswer<O>;
  readonly task: WorkerTask<I, O>;
  readonly #autoRunMax: number;
  /** The input of the answer shown or being computed. */
  #requested = $state.raw<I | null>(null);

  constructor(first: InitialAnswer<O>, plan: RunPlan<I, O, K>, autoRunMax: number) {
    this.first = first;
    this.#autoRunMax = autoRunMax;
    this.#requested = first.value?.input ?? null;
    this.task = new WorkerTask<I, O>(performPlan(plan, (text) => (this.step = text)), { client: new SimClient(), cancelStale: true, initial: first.value });
  }

  /** The reader's settings. */
  abstract get input(): I;
  /** How many clients the settings ask for. */
  abstract get clients(): number;

  get result(): O | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  /** The settings differ from the answer shown or being computed. */
  get stale(): boolean {
    return !sameInput(this.input, this.#requested ?? undefined);
  }

  /** Big runs wait for the reader's Run; small ones start at once. */
  get needsRun(): boolean {
    return this.stale && this.clients > this.#autoRunMax;
  }

  /** Asks for the answer at the current settings (a big plan only when `force`: the Run button). */
  async refresh(force = false): Promise<void> {
    const input = this.input;
    if (!this.stale || (!force && this.clients > this.#autoRunMax)) return;
    this.#requested = input;
    await this.task.request(input);
  }

  /** After an error: a fresh worker, and the current settings again. */
  retry(): void {
    this.task.reset();
    this.#requested = null;
    void this.refresh(true);
  }

  cancel(): void {
    this.task.cancel();
    this.step = '';
    this.#requested = this.task.result?.input ?? null;
  }
}
