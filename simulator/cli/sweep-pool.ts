/**
 * Runs a sweep's tasks, in this process (`jobs` 1) or on `jobs` worker threads
 * (./sweep-worker.ts, started through bin/sweep-worker.mjs, which loads TypeScript as the CLI
 * does). A task is one run: a validated scenario and a seed; its answer is the run's flow
 * metrics. The answers come back indexed by task, so what the caller writes does not depend on
 * which worker ran what, or when.
 *
 * A run that fails (a budget stopped it, a role refused its options) stops the sweep: no new task
 * is handed out, the ones running finish, and the failure of the lowest-numbered task is thrown
 * (a CliError as the run itself would have thrown it).
 */
import { Worker } from 'node:worker_threads';
import type { FlowMetrics } from '../metrics/index.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { Budgets } from './budgets.ts';
import { CliError } from './io.ts';
import { simulate } from './simulate.ts';

export interface SweepTask {
  /** Position in the whole sweep (variant x runs + run): the order rows are written in. */
  index: number;
  scenario: Scenario;
  seed: number;
  budgets: Budgets;
}

/** What a worker sends back for one task. */
export type TaskAnswer =
  | { index: number; flows: FlowMetrics[] }
  | { index: number; error: { message: string; exitCode: number; lines: string[]; cliError: boolean } };

/** Runs one task here; failures become an answer, as a worker gives them. */
export function runTask(task: SweepTask, onProgress?: (fraction: number) => void): TaskAnswer {
  try {
    const { report } = simulate(task.scenario, task.seed, { budgets: task.budgets, ...(onProgress ? { onProgress } : {}) });
    return { index: task.index, flows: report.flows };
  } catch (error) {
    if (error instanceof CliError) return { index: task.index, error: { message: error.message, exitCode: error.exitCode, lines: [...error.lines], cliError: true } };
    const e = error instanceof Error ? error : new Error(String(error));
    return { index: task.index, error: { message: `${e.name}: ${e.message}`, exitCode: 1, lines: [], cliError: false } };
  }
}

const WORKER_BOOT = new URL('../../bin/sweep-worker.mjs', import.meta.url);

/**
 * The flows of every task, by task (`result[i]` answers `tasks[i]`). `onProgress` gets the
 * fraction of tasks done (and, with one job, of the run under way).
 */
export async function runTasks(tasks: readonly SweepTask[], jobs: number, onProgress: (fraction: number) => void): Promise<FlowMetrics[][]> {
  const answers: (TaskAnswer | undefined)[] = new Array(tasks.length);
  if (jobs <= 1 || tasks.length <= 1) {
    for (let i = 0; i < tasks.length; i++) {
      answers[i] = runTask(tasks[i]!, (f) => onProgress((i + f) / tasks.length));
      if ('error' in answers[i]!) break;
    }
  } else {
    await runOnWorkers(tasks, Math.min(jobs, tasks.length), answers, onProgress);
  }
  const failed = answers.find((a): a is Extract<TaskAnswer, { error: unknown }> => a !== undefined && 'error' in a);
  if (failed) {
    const { message, exitCode, lines, cliError } = failed.error;
    if (cliError) throw new CliError(message, exitCode, lines);
    throw new Error(message);
  }
  return answers.map((a) => (a as { flows: FlowMetrics[] }).flows);
}

async function runOnWorkers(tasks: readonly SweepTask[], jobs: number, answers: (TaskAnswer | undefined)[], onProgress: (fraction: number) => void): Promise<void> {
  let next = 0;
  let done = 0;
  let stop = false;
  const position = new Map<number, number>(tasks.map((t, i) => [t.index, i]));
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_BOOT);
      const give = (): void => {
        if (stop || next >= tasks.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(tasks[next++]);
      };
      worker.on('message', (answer: TaskAnswer) => {
        answers[position.get(answer.index)!] = answer;
        done++;
        onProgress(done / tasks.length);
        if ('error' in answer) stop = true;
        give();
      });
      worker.on('error', (error) => {
        stop = true;
        reject(error);
      });
      worker.on('exit', (code) => {
        if (code !== 0 && code !== 1) reject(new Error(`a sweep worker exited with code ${code}`));
      });
      give();
    });
  await Promise.all(Array.from({ length: jobs }, one));
}
