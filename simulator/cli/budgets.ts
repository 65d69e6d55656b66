/**
 * The run limits as CLI options, shared by `run` and `sweep`: the estimate made before a run
 * (simulator/scenarios/estimate.ts) and the budgets that stop a running one
 * (simulator/core/budget.ts), each with the option that raises it.
 */
import { DEFAULT_EVENT_BUDGET, DEFAULT_MEMORY_BUDGET_BYTES, MemoryBudgetExceeded } from '../core/budget.ts';
import { EventBudgetExceeded } from '../core/scheduler.ts';
import { bigRunNote, resourceProblems, type ResourceEstimate } from '../scenarios/estimate.ts';
import { ASK_LIMITS, RUN_LIMITS } from '../scenarios/limits.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { integerOption } from './args.ts';
import { CliError, type CliIo } from './io.ts';

export const BUDGET_OPTIONS = {
  'max-events': { type: 'string' },
  'max-messages': { type: 'string' },
  'memory-mb': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
} as const;

export const BUDGET_USAGE = `  --max-events N     most simulator events: estimated before the run (default ${RUN_LIMITS.estimatedEvents.toLocaleString('en-US')})
                    and executed by it (default ${DEFAULT_EVENT_BUDGET.toLocaleString('en-US')}, or twice N)
  --max-messages N  most application messages, every send times its receivers (default ${RUN_LIMITS.messages.toLocaleString('en-US')})
  --memory-mb N     memory a run may hold: estimated messages held, then heap measured while it
                    runs (default ${Math.round(DEFAULT_MEMORY_BUDGET_BYTES / 1e6)} MB)
  --yes, -y         run a big run without asking (past ${ASK_LIMITS.messages.toLocaleString('en-US')} messages, ${ASK_LIMITS.estimatedEvents.toLocaleString('en-US')} events
                    or ${Math.round(ASK_LIMITS.heldBytes / 1e6)} MB held, estimated, a run asks first on a terminal,
                    and is refused without --yes elsewhere)`;

export interface Budgets {
  messages: number;
  estimatedEvents: number;
  heldBytes: number;
  eventBudget: number;
  memoryBytes: number;
}

export function budgetsFrom(values: Record<string, unknown>): Budgets {
  const events = integerOption('max-events', values['max-events'] as string | undefined, 1);
  const messages = integerOption('max-messages', values['max-messages'] as string | undefined, 1);
  const memoryMb = integerOption('memory-mb', values['memory-mb'] as string | undefined, 1);
  const memoryBytes = memoryMb === undefined ? DEFAULT_MEMORY_BUDGET_BYTES : memoryMb * 1e6;
  return {
    messages: messages ?? RUN_LIMITS.messages,
    estimatedEvents: events ?? RUN_LIMITS.estimatedEvents,
    heldBytes: memoryMb === undefined ? RUN_LIMITS.heldBytes : memoryBytes,
    eventBudget: events === undefined ? DEFAULT_EVENT_BUDGET : 2 * events,
    memoryBytes,
  };
}

export const DEFAULT_BUDGETS: Budgets = budgetsFrom({});

/** Refuses (exit 2) a scenario whose estimate passes a limit, one line per limit. */
export function checkResources(scenario: Scenario, label: string, budgets: Budgets): void {
  const problems = resourceProblems(scenario, budgets, {
    messages: '--max-messages N',
    estimatedEvents: '--max-events N',
    heldBytes: '--memory-mb N',
  });
  if (problems.length === 0) return;
  throw new CliError(`${label} is too big to run (checked before running):`, 2, problems.map((p) => `${label}: ${p}`));
}

/** A budget that stopped a run, as the CLI says it (exit 1), or undefined for any other error. */
export function budgetStop(error: unknown): CliError | undefined {
  if (error instanceof EventBudgetExceeded)
    return new CliError(`the run was stopped: ${error.message}. Raise the budget with --max-events N (it allows 2N), or shorten the run.`, 1);
  if (error instanceof MemoryBudgetExceeded)
    return new CliError(`the run was stopped: ${error.message}. Raise the budget with --memory-mb N, or keep fewer packet records with --trace-limit N.`, 1);
  return undefined;
}

/** Node's heap and array buffers (payloads live there), for the memory budget. */
export function nodeMemoryProbe(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * A run that fits its limits but is big (scenarios/limits.ts ASK_LIMITS) starts only when the user
 * agrees, as the Lab asks with "Run anyway": on a terminal the question is asked; elsewhere (a
 * script, a pipe) it needs --yes, and without it the run is refused (exit 2) saying so.
 */
export async function confirmBigRun(estimate: ResourceEstimate, label: string, yes: boolean | undefined, io: CliIo): Promise<void> {
  const note = bigRunNote(estimate);
  if (note === null || yes) return;
  if (io.ask) {
    const answer = await io.ask(`${label} is big: ${note}.\nRun it anyway? [y/N] `);
    if (answer !== null && /^\s*y(es)?\s*$/i.test(answer)) return;
    throw new CliError('not run (answer y to run it, or pass --yes)', 1);
  }
  throw new CliError(`${label} is big (estimated before running): ${note}. Run it anyway with --yes.`, 2);
}
