/**
 * The scenario library (content/docs/scenarios.mdx, src/components/lab/presets.ts LIBRARY): every
 * entry names a scenario file that the schema accepts, says the question it answers and where its
 * numbers come from, and runs through the simulator with every flow adding up, messages delivered
 * and none lost, so none breaks silently. The scenarios are kept small (at most 40 devices and
 * 300 s of traffic: each run takes a few seconds at most); their exact results are pinned by
 * the golden results (tests/golden/).
 */
import { describe, expect, it } from 'vitest';
import { LIBRARY, PRESETS } from '../../src/components/lab/presets.ts';
import { computeMetrics } from '../../simulator/metrics/index.ts';
import { runScenario } from '../../simulator/runtime/run.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';

describe('the scenario library', () => {
  it('names the six systems of the issue, each a preset the Lab offers', () => {
    expect(LIBRARY.map((e) => e.id)).toEqual(['chat-room', 'live-dashboard', 'game-tick', 'sensor-fleet', 'smart-home', 'vehicle-tracking']);
    for (const e of LIBRARY) expect(PRESETS.some((p) => p.id === e.id), e.id).toBe(true);
  });

  it('says for each the question it answers, what to look at and where its numbers come from', () => {
    for (const e of LIBRARY) {
      expect(e.question, e.id).toMatch(/\?$/);
      expect(e.lookAt.length, e.id).toBeGreaterThan(40);
      expect(e.basis, e.id).toMatch(/assumed|cited|typical|GSMA|3GPP/);
    }
  });

  for (const entry of LIBRARY) {
    it(`${entry.id}: valid, and its run has every flow adding up`, () => {
      const preset = PRESETS.find((p) => p.id === entry.id)!;
      const parsed = parseScenario(preset.scenario);
      if (!parsed.ok) throw new Error(`${entry.id}: ${parsed.errors.join('; ')}`);
      const run = runScenario(parsed.scenario, { seed: parsed.scenario.seed });
      const { flows } = computeMetrics(run.trace);
      expect(flows.length, entry.id).toBeGreaterThan(0);
      for (const f of flows) expect(f.sent, `${entry.id} ${f.flow}`).toBe(f.delivered + f.lost + f.inFlight);
      expect(flows.reduce((n, f) => n + f.delivered, 0), entry.id).toBeGreaterThan(0);
      // Nothing in the library is lost: TCP repairs the random loss, and the outages (smart home,
      // trucks) end in kept sessions at QoS 1.
      expect(flows.reduce((n, f) => n + f.lost, 0), entry.id).toBe(0);
    });
  }
});
