/** What every benchmark file needs: figures formatted for reading, wall-clock timing, scenarios. */
import { performance } from 'node:perf_hooks';
import type { Scenario } from '../simulator/scenarios/schema.ts';
import { parseScenario } from '../simulator/scenarios/schema.ts';

/** `n` with thousands separators and exactly `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Runs `fn` once and says how long it took, in seconds of wall-clock time. */
export function timed<T>(fn: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = fn();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/** A bench scenario, validated like any other; a bad one is a bug in the bench. */
export function mustParse(json: unknown): Scenario {
  const parsed = parseScenario(json);
  if (!parsed.ok) throw new Error(`bench scenario is invalid:\n${parsed.errors.join('\n')}`);
  return parsed.scenario;
}

/** The JavaScript heap in use, MB. */
export function memoryMb(): string {
  return fmt(process.memoryUsage().heapUsed / 1e6);
}
