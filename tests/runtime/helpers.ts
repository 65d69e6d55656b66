import { parseScenario } from '../../simulator/scenarios/schema.ts';
import type { Scenario } from '../../simulator/scenarios/schema.ts';

/** Validates a scenario with the real schema, so these tests also hold the runtime to it. */
export function scenario(json: unknown): Scenario {
  const parsed = parseScenario(json);
  if (!parsed.ok) throw new Error(`bad test scenario:\n${parsed.errors.join('\n')}`);
  return parsed.scenario;
}

/** A sender and a sink; `link` goes on the sender's access link. */
export function bulk(opts: { bytes: number; durationS: number; seed?: number; defaults?: object; senderLink?: object; senderUp?: object; senderDown?: object; sinkLink?: object; tcp?: object }) {
  return scenario({
    schema: 'wirelab/scenario@1',
    seed: opts.seed ?? 1,
    durationS: opts.durationS,
    defaults: { link: opts.defaults ?? { latencyMs: 10, bandwidthKbps: 10_000 } },
    nodes: [
      { id: 'sender-1', role: 'tcp-sender', to: 'sink-1', bytes: opts.bytes, link: opts.senderLink, up: opts.senderUp, down: opts.senderDown, tcp: opts.tcp },
      { id: 'sink-1', role: 'tcp-sink', link: opts.sinkLink },
    ],
  });
}
