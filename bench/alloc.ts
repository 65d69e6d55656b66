/**
 * Where a run allocates (`npx tsx bench/alloc.ts SCENARIO.json [TOP]`): runs the scenario as the
 * CLI does (no trace kept, metrics reduced as it goes, mqtt-packet's debug quiet) under V8's
 * sampling heap profiler, counting objects the garbage collector already took back too, and
 * prints the functions and files that allocated most. Allocation, unlike time, does not depend on
 * what else the machine is doing, so this is the figure to compare before and after a change to
 * a hot path. Figures printed, never asserted.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { quietDebug } from '../simulator/cli/quiet-debug.ts';

quietDebug();
const { MetricsReducer } = await import('../simulator/metrics/index.ts');
const { runScenario } = await import('../simulator/runtime/run.ts');
const { fmt, mustParse } = await import('./util.ts');

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: ProfileNode[];
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: npx tsx bench/alloc.ts SCENARIO.json [TOP]');
const top = Number(process.argv[3] ?? 25);
const scenario = mustParse(JSON.parse(readFileSync(file, 'utf8')));

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const metrics = new MetricsReducer();
const run = runScenario(scenario, { keepTrace: false, sinks: [metrics] });
metrics.result();
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };

const root = new URL('../', import.meta.url).pathname;
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
const walk = (node: ProfileNode): void => {
  const where = node.callFrame.url.replace(`file://${root}`, '') || node.callFrame.functionName;
  const name = `${node.callFrame.functionName || '(anonymous)'} ${where}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
  byFile.set(where, (byFile.get(where) ?? 0) + node.selfSize);
  total += node.selfSize;
  node.children.forEach(walk);
};
walk(profile.head);
const list = (m: Map<string, number>) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${fmt(v / 1e6, 1).padStart(8)} MB ${fmt((100 * v) / total, 1).padStart(5)} %  ${k}`).join('\n');
console.log(`${file}: ${fmt(run.eventsExecuted)} events, ${fmt(total / 1e6)} MB allocated (sampled)\n-- by function\n${list(byFunction)}\n-- by file\n${list(byFile)}`);
