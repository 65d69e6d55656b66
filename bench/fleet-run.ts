/**
 * One fleet run for ./fleet.ts, in a process of its own: `node --import ./bin/typescript.mjs bench/fleet-run.ts SCENARIO.json`
 * runs it as the CLI does (no trace kept, metrics reduced while it goes, mqtt-packet's debug
 * quiet, V8 told to keep the heap near what is live) and prints its figures as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { keepHeapNearLive } from '../simulator/cli/heap.ts';
import { quietDebug } from '../simulator/cli/quiet-debug.ts';

quietDebug();
// As the CLI does (bin/wirelab.mjs), so the figures are the CLI's.
keepHeapNearLive();
const { MetricsReducer } = await import('../simulator/metrics/index.ts');
const { runScenario } = await import('../simulator/runtime/run.ts');
const { mustParse } = await import('./util.ts');

const scenario = mustParse(JSON.parse(readFileSync(process.argv[2]!, 'utf8')));
const start = performance.now();
const cpuStart = process.cpuUsage();
const metrics = new MetricsReducer();
const run = runScenario(scenario, { keepTrace: false, sinks: [metrics], eventBudget: 100_000_000 });
const { flows } = metrics.result();
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const sum = (k: 'sent' | 'delivered' | 'lost' | 'inFlight') => flows.reduce((n, f) => n + f[k], 0);
process.stdout.write(
  JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    events: run.eventsExecuted,
    sent: sum('sent'),
    delivered: sum('delivered'),
    lost: sum('lost'),
    inFlight: sum('inFlight'),
    heapMb: process.memoryUsage().heapUsed / 1e6,
  }),
);
