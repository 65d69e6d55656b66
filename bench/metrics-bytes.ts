/**
 * What the metrics reducer holds per message, measured (`node --import ./bin/typescript.mjs
 * bench/metrics-bytes.ts SCENARIO.json...`): runs each scenario as the CLI does (no trace kept,
 * metrics reduced while it goes), then reads the heap and array-buffer bytes after a full
 * collection with the run's MetricsReducer still held and again once it is let go: the difference
 * is what the reducer holds. Given the same fleet for several durations, it also prints what each
 * further message added (the per-message state alone; the rest is per flow, link and connection,
 * as many as the scenario has nodes). core/budget.ts BYTES_PER_MESSAGE is set from these figures.
 * Figures printed, never asserted.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { quietDebug } from '../simulator/cli/quiet-debug.ts';

quietDebug();
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const { MetricsReducer } = await import('../simulator/metrics/index.ts');
const { runScenario } = await import('../simulator/runtime/run.ts');
const { fmt, mustParse } = await import('./util.ts');

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: node --import ./bin/typescript.mjs bench/metrics-bytes.ts SCENARIO.json...');

async function used(): Promise<number> {
  // Full collections, with pauses between for V8's concurrent sweeping and array-buffer freeing.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Runs the scenario; returns the reducer (the run itself is not kept). */
function reduce(file: string): { reducer: InstanceType<typeof MetricsReducer>; messages: number } {
  const scenario = mustParse(JSON.parse(readFileSync(file, 'utf8')));
  const reducer = new MetricsReducer();
  runScenario(scenario, { keepTrace: false, sinks: [reducer], eventBudget: 100_000_000 });
  return { reducer, messages: reducer.heldBytes / BYTES_NOW };
}

const { BYTES_PER_MESSAGE: BYTES_NOW } = await import('../simulator/core/budget.ts');

let before: { messages: number; bytes: number } | undefined;
for (const file of files) {
  let held: ReturnType<typeof reduce> | undefined = reduce(file);
  const { messages } = held;
  const withReducer = await used();
  held = undefined;
  const bytes = withReducer - (await used());
  console.log(`${file}: ${fmt(messages)} messages, the reducer holds ${fmt(bytes / 1e6, 2)} MB: ${fmt(bytes / messages, 1)} bytes a message, all included`);
  if (before !== undefined && messages > before.messages) {
    console.log(`  each of the ${fmt(messages - before.messages)} further messages added ${fmt((bytes - before.bytes) / (messages - before.messages), 1)} bytes (BYTES_PER_MESSAGE is ${BYTES_NOW})`);
  }
  before = { messages, bytes };
}
