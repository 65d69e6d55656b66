import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSimulation } from '../../src/worker/runtime.ts';
import { makeSnapshot } from '../../src/worker/snapshot.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { expectFlowsMatchRoles } from '../support/flow-counts.ts';

const example = JSON.parse(readFileSync(new URL('../../scenarios/examples/tcp-small.json', import.meta.url), 'utf8'));

describe('the worker runs scenarios through the runtime', () => {
  it('reports progress up to 1 and returns the whole trace', () => {
    const parsed = parseScenario(example);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const seen: number[] = [];
    const run = runSimulation(parsed.scenario, parsed.scenario.seed, (p) => seen.push(p.fraction));
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => i === 0 || f > seen[i - 1]!)).toBe(true);
    expect(run.durationUs).toBe(Math.round(parsed.scenario.durationS * 1e6));
    const snapshot = makeSnapshot({ runId: 1, scenario: parsed.scenario, seed: 1, appVersion: 'x', durationUs: run.durationUs, trace: run.trace, traceLimit: 10 });
    expect(snapshot.trace).toHaveLength(Math.min(10, run.trace.length));
    expect(snapshot.traceTotal).toBe(run.trace.length);
    // The snapshot's flow counts are the roles' own records in the run's trace.
    expect(snapshot.metrics.flows.length).toBeGreaterThan(0);
    expectFlowsMatchRoles(run.trace, snapshot.metrics.flows);
  });
});
