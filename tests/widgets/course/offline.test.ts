/**
 * Chapter 6's course module: the scenarios it builds from a drawn schedule, what it reads from the
 * runs (per message and subscriber), the wills and presence, its figures and checks.
 *
 * Times used in the derivations (OFFLINE_DEFAULTS): every access link 25 ms one way, so a hop takes
 * 50 ms; the thermostat publishes QoS 1, retained, at 1, 3, 5 ... 59 s (30 readings), the door QoS
 * 0 at 2, 4 ... 58 s (29); keepalive 10 s; the phone switched off from 10 s to 30 s (kept session,
 * queue of 5); the thermostat's network lost from 34 s to 54 s; the tablet joins at 40 s.
 */
import { describe, expect, it } from 'vitest';
import { runCourse } from '../../../src/worker/course/index.ts';
import { offline } from '../../../src/worker/course/offline.ts';
import { figureRuns, offlineFigures } from '../../../src/worker/course/offline-figures.ts';
import { courseOffline } from '../../../src/worker/course/offline-run.ts';
import { mqttScenario, scheduleProblems, wsScenario } from '../../../src/worker/course/offline-scenario.ts';
import { OFFLINE_DEFAULTS as D, type OfflineInput } from '../../../src/worker/course/offline-types.ts';

type Node = { id: string; role: string; link?: { outages?: unknown[] }; mqtt?: Record<string, unknown>; ws?: Record<string, unknown> };
const nodes = (sc: Record<string, unknown>) => sc.nodes as Node[];

describe('the scenarios', () => {
  it('turn a network outage into a link outage, a clean one into an offline window, one from 0 s into a late join', () => {
    const m = nodes(mqttScenario(D));
    expect(m.map((n) => n.id)).toEqual(['hub', 'thermo', 'door', 'phone', 'tablet']);
    expect(m.find((n) => n.id === 'thermo')!.link).toEqual({ outages: [{ atS: 34, forS: 20 }] });
    expect(m.find((n) => n.id === 'phone')!.mqtt).toMatchObject({ cleanSession: false, offline: [{ atS: 10, forS: 20 }] });
    expect(m.find((n) => n.id === 'phone')!.link).toBeUndefined();
    expect(m.find((n) => n.id === 'tablet')!.mqtt).toMatchObject({ cleanSession: true, connectAtS: 40 });
    expect(m.find((n) => n.id === 'thermo')!.mqtt!.will).toEqual({ topic: 'home/thermo/status', payloadBytes: 7, qos: 1, retain: true });
    // MQTT 5 keeps a session only with an expiry; the will delay only in MQTT 5.
    const v5 = nodes(mqttScenario({ ...D, mqttVersion: '5', willDelayS: 5 }));
    expect(v5.find((n) => n.id === 'phone')!.mqtt).toMatchObject({ sessionExpiryS: 3600 });
    expect(v5.find((n) => n.id === 'thermo')!.mqtt!.will).toMatchObject({ delayS: 5 });
    // WebSocket: every outage is a lost network (its clients cannot be switched off on a schedule).
    const w = nodes(wsScenario(D));
    expect(w.find((n) => n.id === 'phone')!.link).toEqual({ outages: [{ atS: 10, forS: 20 }] });
    expect(w.find((n) => n.id === 'tablet')!.link).toEqual({ outages: [{ atS: 0, forS: 40 }] });
    expect(w.find((n) => n.id === 'hub')!.ws).toMatchObject({ rooms: true, serverBuffer: 5, heartbeatS: 10 });
  });

  it('refuses overlapping outages and outages past the timeline, naming them', () => {
    const bad: OfflineInput = { ...D, outages: [{ device: 'door', atS: 5, forS: 10, kind: 'off' }, { device: 'door', atS: 12, forS: 3, kind: 'network' }, { device: 'phone', atS: 50, forS: 20, kind: 'off' }] };
    expect(scheduleProblems(bad)).toEqual(['outages of door at 5 s and 12 s overlap', 'outage of phone at 50 s ends after 60 s']);
    expect(() => runCourse('offline', bad)).toThrow(/overlap/);
  });
});

describe('the starting schedule, over MQTT', () => {
  const r = figureRuns.start();
  const phone = (from: string, outcome: string) => r.mqtt.fates.filter((f) => f.subscriber === 'phone' && f.publisher === from && f.outcome === outcome && !f.label.startsWith('will'));

  it("keeps 5 of the thermostat's readings for the absent phone, drops the next at the bound, and queues no QoS 0", () => {
    // The phone's DISCONNECT reaches the broker at 10.05 s; it is back at 30.2 s (CONNACK). Thermostat
    // readings 6-15 (11 ... 29 s) find it away: 6-10 fill the queue of 5, 11-15 are dropped.
    expect(phone('thermo', 'queued').map((f) => f.label)).toEqual(['thermo #6', 'thermo #7', 'thermo #8', 'thermo #9', 'thermo #10']);
    expect(phone('thermo', 'queued').map((f) => f.deliveredMs)).toEqual([30300, 30300, 30300, 30300, 30300]);
    expect(phone('thermo', 'queue-full').map((f) => f.label)).toEqual(['thermo #11', 'thermo #12', 'thermo #13', 'thermo #14', 'thermo #15']);
    // Door messages 5-15 (10 ... 30 s; the one at 30 s reached the broker at 30.05 s, before the phone's CONNECT).
    expect(phone('door', 'qos0-not-queued').map((f) => f.sentMs)).toEqual([10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30].map((x) => x * 1000));
    expect(r.mqtt.counts.phone).toEqual({ live: 28, queued: 5, held: 10, retained: 0, will: 1, queueFull: 5, qos0NotQueued: 11, beforeJoin: 0, lost: 0, inFlight: 0 });
  });

  it('publishes the thermostat\'s will when the whole second 33 + 15 is over, and both subscribers see it live', () => {
    // Its last PUBLISH (33 s) reached the broker at 33.05 s: second 33, due in second 48, acted on at 49 s.
    expect(r.mqtt.wills).toEqual([{ device: 'thermo', atMs: 49_000, lastHeardMs: 33_050, topic: 'home/thermo/status' }]);
    expect(r.mqtt.fates.filter((f) => f.label === 'will of thermo').map((f) => [f.subscriber, f.outcome, f.deliveredMs])).toEqual([['phone', 'will', 49_050], ['tablet', 'will', 49_050]]);
  });

  it('gives the tablet, joining at 40 s, the last retained temperature and nothing else from before', () => {
    const retained = r.mqtt.fates.filter((f) => f.subscriber === 'tablet' && f.outcome === 'retained');
    // Reading 17 (33 s) was the last to reach the broker before 40 s: reading 18 (35 s) was in the outage.
    expect(retained.map((f) => [f.label, f.sentMs])).toEqual([['thermo #17', 33_000]]);
    // 16 earlier thermostat readings and the 20 door messages of 2 ... 40 s.
    expect(r.mqtt.counts.tablet.beforeJoin).toBe(36);
  });

  it("delivers the thermostat's outage readings late, from its own client's store, after it reconnects", () => {
    const held = phone('thermo', 'held');
    expect(held.map((f) => f.label)).toEqual(['thermo #18', 'thermo #19', 'thermo #20', 'thermo #21', 'thermo #22', 'thermo #23', 'thermo #24', 'thermo #25', 'thermo #26', 'thermo #27']);
    expect(Math.min(...held.map((f) => f.deliveredMs!))).toBeGreaterThan(54_000);
  });

  it('says it in words', () => {
    expect(r.summary).toEqual([
      'The phone: 28 live, 5 kept by the broker while it was away and delivered when it came back, 10 held by a publisher that was offline and delivered late, 1 will, 5 dropped at the queue bound, 11 QoS 0 not queued while it was away.',
      'The tablet: 12 live, 10 held by a publisher that was offline and delivered late, 1 retained message on subscribing, 1 will, 36 sent before it joined and not retained.',
      "The thermo's will was published at 49 s, 15.95 s after the broker last heard from it; seen by phone at 49.05 s and tablet at 49.05 s.",
    ]);
  });
});

describe('the same schedule over WebSocket', () => {
  const r = figureRuns.start();
  it('replays the newest 5 from the server buffer and loses the older ones; gives the late tablet nothing from before', () => {
    expect(r.ws.counts.phone.queued).toBe(5);
    // One message a second reaches the server for the phone (the thermostat's at odd seconds, the
    // door's at even ones). The phone's network is back at 30 s; its attempts come 1 s after each
    // 2 s connect timeout (16.2, 19.2, ..., 28.2 s, aborted at 30.2 s), so it is back at 31.2 s
    // (with the old 1-2 s backoff the last gap was 2 s and it came back at 32.2 s: 17 dropped).
    expect(r.ws.counts.phone.queueFull).toBe(16);
    const replayed = r.ws.fates.filter((f) => f.subscriber === 'phone' && f.outcome === 'queued').map((f) => f.sentMs);
    const dropped = r.ws.fates.filter((f) => f.subscriber === 'phone' && f.outcome === 'queue-full').map((f) => f.sentMs);
    // A ring buffer: every replayed message is newer than every dropped one.
    expect(Math.min(...replayed)).toBeGreaterThan(Math.max(...dropped));
    expect(r.ws.counts.tablet.retained).toBe(0);
    expect(r.ws.counts.tablet.beforeJoin).toBe(37);
  });

  it("notices the vanished devices by its heartbeat (ping every 10 s, pong within 5 s); MQTT's broker by keepalive or DISCONNECT", () => {
    expect(r.presence).toEqual([
      { device: 'phone', kind: 'off', wentMs: 10_000, mqttKnewMs: 10_050, mqttWillMs: null, wsNoticedMs: 15_150 },
      { device: 'thermo', kind: 'network', wentMs: 34_000, mqttKnewMs: 49_000, mqttWillMs: 49_000, wsNoticedMs: 45_150 },
    ]);
  });
});

describe('changes of the schedule', () => {
  it('a clean switch-off publishes no will; MQTT 5 will delay 10 s is cancelled by the reconnect at 56.3 s, 5 s is not', () => {
    expect(figureRuns.thermoOff().mqtt.wills).toEqual([]);
    expect(figureRuns.willDelay().mqtt.wills).toEqual([]);
    expect(figureRuns.willDelayShort().mqtt.wills.map((w) => w.atMs)).toEqual([54_000]);
  });

  it('a clean session for the phone keeps nothing for it', () => {
    const c = figureRuns.phoneClean().mqtt.counts.phone;
    expect(c.queued).toBe(0);
    expect(c.queueFull).toBe(0);
  });

  it('is deterministic', () => {
    const a = courseOffline(D);
    expect(a.mqtt.fates).toEqual(figureRuns.start().mqtt.fates);
  });
});

describe('the module', () => {
  it('rejects a bad input naming the field', () => {
    expect(() => runCourse('offline', { ...D, keepaliveS: 0 })).toThrow(/keepaliveS/);
    expect(() => runCourse('offline', { ...D, outages: [{ device: 'fridge', atS: 1, forS: 1, kind: 'off' }] })).toThrow(/device/);
  });

  it('quotes its figures from the runs', () => {
    const f = offlineFigures();
    expect([f.lastHeardS, f.lastHeardSecond, f.dueSecond, f.willAtS, f.willAfterS]).toEqual(['33.05 s', '33', '48', '49 s', '15.95 s']);
    expect([f.phoneQueued, f.phoneQueueFull, f.phoneQos0NotQueued, f.tabletRetained, f.thermoOffWills]).toEqual(['5', '5', '11', '1', '0']);
    expect([f.wsThermoNoticedS, f.willDelay10, f.willDelay10Back, f.willDelay5]).toEqual(['45.15 s', 'never', '56.3 s', '54 s']);
  });

  it('computes its checks: right answers and named slips', () => {
    const checks = offline.checks();
    expect(checks.map((c) => c.id)).toEqual(['ch6-will-keepalive-5', 'ch6-queue-which', 'ch6-qos0-door', 'ch6-clean-disconnect-will', 'ch6-ws-late-joiner']);
    // keepalive 5: last packet in second 33, due in second 33 + 7 = 40, acted on at 41 s.
    const will = checks[0]!;
    expect(will.choices[will.answer]).toBe('41 s');
    expect(will.slips?.filter((x) => x !== null)).toHaveLength(3);
    for (const c of checks.slice(1)) expect(c.answer).toBe(0);
  });
});
