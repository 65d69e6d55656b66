import { expect, it } from 'vitest';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { flowMetrics } from '../../simulator/metrics/index.ts';
import { readFileSync } from 'node:fs';
import { expectFlowsMatchRoles } from '../support/flow-counts.ts';

it('the sensors example gives the same trace twice from one scenario object, and MQTT flows add up', () => {
  const parsed = parseScenario(JSON.parse(readFileSync(new URL('../../scenarios/examples/sensors.json', import.meta.url), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const a = runScenario(parsed.scenario).trace;
  const b = runScenario(parsed.scenario).trace;
  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  const mqtt = flowMetrics(a).filter((f) => f.protocol === 'mqtt');
  expect(mqtt.map((f) => [f.from, f.to])).toEqual([['sensor-1', 'dash']]);
  expectFlowsMatchRoles(a, mqtt);
  for (const f of mqtt) {
    // sensor-1 publishes every 500 ms for 30 s: 60 messages.
    expect(f.sent).toBe(60);
    expect(f.delivered).toBeGreaterThan(50);
  }
});
