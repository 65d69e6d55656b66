/**
 * Golden results (ns-3 keeps small reference traces per example program): for every example
 * scenario, the SHA-256 of its result JSON exactly as `wirelab run` writes it, plus a few headline
 * figures per flow a reader can check in a diff; and the first numbers of each named random
 * stream. Any change in behaviour changes them: a visible diff, never a silent one.
 *
 * `npm run golden:update` (./update.ts) rewrites ./examples.json and ./random-streams.json from
 * this code; ./golden.test.ts compares.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../simulator/core/rng.ts';
import { resultJson } from '../../simulator/cli/result.ts';
import { simulate } from '../../simulator/cli/simulate.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const EXAMPLES_DIR = join(ROOT, 'scenarios/examples');
export const GOLDEN_EXAMPLES = new URL('./examples.json', import.meta.url).pathname;
export const GOLDEN_STREAMS = new URL('./random-streams.json', import.meta.url).pathname;
export const UPDATE_COMMAND = 'npm run golden:update';

export interface GoldenExample {
  /** SHA-256 (hex) of the result JSON as `wirelab run FILE` prints it. */
  resultSha256: string;
  /** Trace records of the run. */
  traceRecords: number;
  /** One line per flow: sent, delivered, lost, in flight, latency p50 and p99, wire bytes, retransmissions. */
  flows: string[];
}

export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
}

export function goldenExample(file: string): GoldenExample {
  const parsed = parseScenario(JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.errors.join('; ')}`);
  const sim = simulate(parsed.scenario, parsed.scenario.seed);
  const json = resultJson(sim.report);
  const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
  return {
    resultSha256: createHash('sha256').update(json).digest('hex'),
    traceRecords: sim.recordsEmitted,
    flows: sim.report.flows.map(
      (f) =>
        `${f.flow}: sent ${f.sent}, delivered ${f.delivered}, lost ${f.lost}, in flight ${f.inFlight}, ` +
        `p50 ${ms(f.latencyMs.p50)}, p99 ${ms(f.latencyMs.p99)}, wire ${f.wireBytes} B, retransmissions ${f.retransmissions}`,
    ),
  };
}

export function goldenExamples(): Record<string, GoldenExample> {
  return Object.fromEntries(exampleFiles().map((f) => [f, goldenExample(f)]));
}

/**
 * Every kind of named stream the simulator draws from (simulator/runtime/run.ts forks
 * `node:<id>:<name>` for roles and `node:<id>:tcp-iss` for hosts; simulator/net/link.ts forks
 * `link:<id>:loss|burst-loss|jitter`), with example ids, under seed 1. Pinning them catches a
 * change to the generator, the seeding or the naming, which would shift every run.
 */
export const STREAM_NAMES = [
  '',
  'node:client:tcp-iss',
  'node:browser-1:ws-payload:server',
  'node:browser-1:ws-engine:server',
  'node:browser-1:ws-reconnect:server',
  'node:server:ws-payload',
  'node:server:ws-engine',
  'node:dash:mqtt-ws:dash:49152-broker:8080',
  'link:client->core:loss',
  'link:core->client:burst-loss',
  'link:client->core:jitter',
];

export function goldenStreams(): Record<string, { u32: number[]; float: number }> {
  return Object.fromEntries(
    STREAM_NAMES.map((name) => {
      const rng = Rng.stream(1, name);
      const u32 = [rng.u32(), rng.u32(), rng.u32(), rng.u32()];
      return [name, { u32, float: rng.float() }];
    }),
  );
}
