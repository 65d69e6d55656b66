/**
 * Figures quoted from the real-stack testbed's report (src/components/widgets/lib/testbed.ts):
 * the parser reads the table `npm run fidelity -- --write` produces, and every `<Testbed>` in the
 * chapters names a row that docs/FIDELITY.md holds, so a renamed case fails here, not on a page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testbedCell, testbedRun, testbedSimulated, testbedText } from '../../src/components/widgets/lib/testbed.ts';

const ROOT = join(import.meta.dirname, '../..');
const REPORT = readFileSync(join(ROOT, 'docs/FIDELITY.md'), 'utf8');

const SAMPLE = [
  'Measured 2026-12-06 (full grid, 3 runs per case, 3 at once, 8.9 minutes), Linux 6.18,',
  'Load average 18.27 at the start and 9.67 at the end on 2 cores: the real latencies include waiting for a CPU.',
  '',
  '| case | metric | real: median (min-max) | simulated: median (min-max) | sim / real |',
  '|---|---|---|---|---|',
  '| connect mqtts | first message ms | 335 (334-381) | n/a |  |',
  '|  | first message RTTs | 6.71 (6.68-7.63) | n/a |  |',
  '| probe x | PUBREC bytes (mqtt.js) | 4 | 4 | 1 |',
  '| mqtt qos0 | lost | n/a | 0 |  |',
  '| mqtt qos2 | lost | 9 (0-13) | 1 (0-32) | 0.111 |',
].join('\n');

describe('testbed figures', () => {
  it('reads a row\'s real median and range, continuation rows under their case included', () => {
    expect(testbedCell(SAMPLE, 'connect mqtts', 'first message ms')).toEqual({ median: 335, min: 334, max: 381 });
    expect(testbedCell(SAMPLE, 'connect mqtts', 'first message RTTs')).toEqual({ median: 6.71, min: 6.68, max: 7.63 });
    expect(testbedCell(SAMPLE, 'probe x', 'PUBREC bytes (mqtt.js)')).toEqual({ median: 4, min: 4, max: 4 });
    expect(testbedText({ median: 335, min: 334, max: 381 }, 'ms')).toBe('335 ms (334-381)');
    expect(testbedText({ median: 4, min: 4, max: 4 }, 'bytes')).toBe('4 bytes');
    // A count (no unit) ends at its last digit: chapter 4's "the simulator 1." had a space before the stop.
    expect(testbedText({ median: 1, min: 1, max: 1 }, '')).toBe('1');
    expect(testbedText({ median: 1, min: 0, max: 2 }, '')).toBe('1 (0-2)');
  });

  it('refuses a case or metric the report does not hold, and a row without a real figure', () => {
    expect(() => testbedCell(SAMPLE, 'connect mqtt', 'first message ms')).toThrow('no row for case "connect mqtt"');
    expect(() => testbedCell(SAMPLE, 'connect mqtts', 'first message s')).toThrow('no row');
    expect(() => testbedCell(SAMPLE, 'mqtt qos0', 'lost')).toThrow('has no real figure (found "n/a")');
  });

  it('reads the simulated side of a row with its range, and refuses a row without one', () => {
    expect(testbedSimulated(SAMPLE, 'probe x', 'PUBREC bytes (mqtt.js)')).toEqual({ median: 4, min: 4, max: 4 });
    expect(testbedSimulated(SAMPLE, 'mqtt qos0', 'lost')).toEqual({ median: 0, min: 0, max: 0 });
    expect(testbedSimulated(SAMPLE, 'mqtt qos2', 'lost')).toEqual({ median: 1, min: 0, max: 32 });
    expect(() => testbedSimulated(SAMPLE, 'connect mqtts', 'first message ms')).toThrow('has no simulated figure (found "n/a")');
  });

  it('says when the run was made and how busy the machine was', () => {
    expect(testbedRun(SAMPLE)).toEqual({ date: '2026-12-06', runsPerCase: 3, load: { start: 18.27, end: 9.67, cores: 2 } });
    expect(() => testbedRun('no header')).toThrow('Load average');
  });

  it('finds every <Testbed> the chapters quote in docs/FIDELITY.md', () => {
    const dir = join(ROOT, 'content/docs/chapters');
    const quoted: string[] = [];
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.mdx'))) {
      const text = readFileSync(join(dir, name), 'utf8');
      for (const m of text.matchAll(/<Testbed\b([^>]*)\/>/g)) {
        const attrs = m[1]!;
        if (/\brun\b/.test(attrs)) {
          expect(() => testbedRun(REPORT)).not.toThrow();
          continue;
        }
        const caseName = /\bcase="([^"]+)"/.exec(attrs)?.[1];
        const metric = /\bmetric="([^"]+)"/.exec(attrs)?.[1];
        expect(caseName && metric, `${name}: <Testbed${attrs}/> needs case and metric`).toBeTruthy();
        if (/\bside="simulated"/.test(attrs)) expect(testbedSimulated(REPORT, caseName!, metric!).median).toBeGreaterThanOrEqual(0);
        else expect(testbedCell(REPORT, caseName!, metric!).median).toBeGreaterThanOrEqual(0);
        quoted.push(caseName!);
      }
    }
    // Chapter 1 quotes the QoS 0 latency at 20 messages a second, chapter 2 the five connect cases,
    // chapter 4 the lossy QoS 0, QoS 2 and WebSocket cases beside the simulator's.
    expect(new Set(quoted)).toEqual(new Set([
      'mqtt qos0 defaults loss 0%', 'mqtt qos0 nodelay loss 0%',
      'mqtt qos0 defaults loss 10%', 'ws-echo loss 10%', 'mqtt qos2 defaults loss 20%',
      'connect mqtt', 'connect ws', 'connect wss', 'connect mqtts', 'connect mqtts nodelay',
    ]));
  });
});
