/**
 * A course call's runs report progress to the page (src/worker/course/watch.ts) without changing
 * what they compute: chapter 8's fan-out step at its defaults (100 subscribers, QoS 0, 5 messages),
 * run once watched and once not, gives the same answer, and the watched run reported its way to
 * the end of simulated time with `work` counting up one by one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CourseProgress } from '../../../src/worker/api.ts';
import { runCourse } from '../../../src/worker/course/index.ts';
import { EVENTS_PER_REPORT, reportingTo, watched } from '../../../src/worker/course/watch.ts';
import { fanoutStep } from '../../../src/worker/course/fanout-step.ts';

describe('course progress (watch.ts)', () => {
  it('reports a step run to its end and leaves its answer as it was', () => {
    const reports: CourseProgress[] = [];
    const plain = runCourse('fanoutStep', fanoutStep.defaults);
    const seen = runCourse('fanoutStep', fanoutStep.defaults, (p) => reports.push(p));
    expect(seen).toEqual(plain);
    // 103 reports: one per hundredth of simulated time (the runtime's 100 slices, fractions 0.01
    // to 1) and 3 from the counting sink (one per 4,096 records and link packets: the 100
    // subscribers' connections and 5 messages make between 12,288 and 16,383), the first of them
    // before the first slice ended, while the 100 subscribers were still connecting.
    expect(reports.length).toBe(103);
    expect(reports.map((p) => p.work)).toEqual(reports.map((_, i) => i + 1));
    expect(reports[0]).toEqual({ work: 1, fraction: 0 });
    const slices = reports.filter((p, i) => i === 0 || p.fraction !== reports[i - 1]!.fraction).map((p) => p.fraction);
    expect(slices).toEqual([0, ...Array.from({ length: 100 }, (_, i) => (i + 1) / 100)]);
  });

  it('counts packets while simulated time stands still', () => {
    // A made-up run's sinks, as runScenario calls them: 2 x 4,096 packets and no slice of time.
    const reports: CourseProgress[] = [];
    reportingTo((p) => reports.push(p), () => {
      const options = watched({});
      const heartbeat = options.sinks!.at(-1)!;
      expect(heartbeat.reads!('app-send')).toBe(false);
      for (let i = 0; i < 2 * EVENTS_PER_REPORT; i++) heartbeat.linkPacket!(0, 'link-send', 'a-b', 0, i, 40, undefined);
    });
    expect(reports).toEqual([
      { work: 1, fraction: 0 },
      { work: 2, fraction: 0 },
    ]);
  });

  it('watches every run a course module makes', () => {
    // A run made without `watched` would go unseen by the page's watchdog and be stopped after 20 s.
    const dir = fileURLToPath(new URL('../../../src/worker/course/', import.meta.url));
    const unwatched = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/runScenario\(\s*[^,()]+(?:\([^()]*\))?,(?!\s*watched\()/g)].map(() => f));
    expect(unwatched).toEqual([]);
    // and the pattern finds such a call: the same without watched()
    expect('runScenario(parsed.scenario, { seed: 1 }); runScenario(\n  parsed.scenario,\n  watched({}))'.match(/runScenario\(\s*[^,()]+(?:\([^()]*\))?,(?!\s*watched\()/g)).toHaveLength(1);
  });

  it('adds nothing when no call is watched (the build, the CLI, the tests)', () => {
    const options = { seed: 3, keepTrace: false };
    expect(watched(options)).toBe(options);
    reportingTo(undefined, () => expect(watched(options)).toBe(options));
  });
});
