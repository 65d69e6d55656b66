/**
 * Chapter 10's job stream (src/worker/course/share*.ts): QoS 1 jobs to consumers through the broker,
 * shared and plain, with consumer c1 losing its network. Counts derived in comments: 50 jobs a
 * second from 1 s, the k-th (from 0) at 1 + k/50 s, until the run's stopS; a shared group's turns go
 * c1, c2, c3, c1... in the order the members subscribed (mosquitto's order, tests/conformance/share-mosquitto.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { courseShare } from '../../../src/worker/course/share-run.ts';
import { MAX_CONSUMERS, SHARE_DEFAULTS, shareScenario, shareTiming } from '../../../src/worker/course/share-scenario.ts';

describe('job-stream scenarios', () => {
  it('are valid for every consumer count, and run past the keepalive cut-off', () => {
    for (const consumers of [1, MAX_CONSUMERS]) for (const mode of ['shared', 'plain'] as const) expect(parseScenario(shareScenario(mode, { ...SHARE_DEFAULTS, consumers })).ok).toBe(true);
    // Drop at 5 s; cut off by 5 + 15 + 1 = 21 s at the latest; 5 s more: jobs until 26 s, the run until 28 s.
    expect(shareTiming(SHARE_DEFAULTS)).toEqual({ stopS: 26, durationS: 28 });
    expect(shareTiming({ ...SHARE_DEFAULTS, keepaliveS: 60 })).toEqual({ stopS: 101, durationS: 103 });
  });
});

describe('three consumers, 50 jobs a second', () => {
  it('without a drop: shared, each gets a third; plain, each gets every job', () => {
    const r = courseShare({ ...SHARE_DEFAULTS, drop: false });
    // Jobs from 1 s until 26 s: 25 s x 50 = 1,250; 1,250 = 3 x 416 + 2, so c1 and c2 get one more.
    expect(r.shared.produced).toBe(1250);
    expect(r.shared.consumers.map((c) => c.received)).toEqual([417, 417, 416]);
    expect(r.plain.consumers.map((c) => c.received)).toEqual([1250, 1250, 1250]);
    expect([r.shared.neverReceived, r.plain.neverReceived, r.shared.cutOffAtS]).toEqual([0, 0, null]);
  });

  it('c1 drops at 5 s: its turns until the keepalive cut-off are lost with its clean session', () => {
    const r = courseShare(SHARE_DEFAULTS);
    const s = r.shared;
    // Before 5 s: jobs 0..199; c1's are k % 3 = 0, 67 of them (job 198, sent at 4.96 s, arrives before 5 s).
    expect(s.consumers[0]!.received).toBe(67);
    // c1's last packet reached the broker in second 4: cut off when second 4 + 15 + 1 = 20 begins (broker-keepalive.ts).
    expect(s.cutOffAtS).toBe(20);
    // c1's turns from job 200 (5 s) to job 949 (the last before 20 s): k = 201, 204, ..., 948: 250 jobs,
    // 20 written to the dead connection (the in-flight window), the rest queued; all discarded with the session.
    expect([s.neverReceived, s.sentToDropped, s.discardedWithSession, s.queueFull]).toEqual([250, 20, 250, 0]);
    expect(s.consumers[1]!.received + s.consumers[2]!.received).toBe(1250 - 67 - 250);
    // Plain: c2 and c3 have every job; nothing is lost to the system.
    expect(r.plain.neverReceived).toBe(0);
    expect(r.plain.consumers.slice(1).map((c) => c.received)).toEqual([1250, 1250]);
  });
});
