/**
 * Chapter 7's course module: the scenarios it builds, when each end learns its connection is gone
 * and what it is told, what becomes of the alerts, and its figures and checks.
 *
 * Times used in the derivations (ALIVE_DEFAULTS): every access link 25 ms one way, so device to
 * server is 50 ms one way, 100 ms there and back. The WebSocket opens with SYN at 0, SYN-ACK at
 * 0.05 s, ACK + upgrade request at 0.1 s, the 101 response reaches the server's link at 0.15 s
 * (the server's side is open) and the browser at 0.2 s, which ACKs it at once: the browser's last
 * packet through the NAT. MQTT: CONNECT at 0.1 s, CONNACK at the device 0.2 s, SUBSCRIBE 0.2 s,
 * SUBACK at the device 0.3 s (mqtt.js's keepalive timer starts there), its ACK 40 ms later (delayed
 * ACK) at 0.34 s. Alerts leave the server (or the backend) at 300, 600, 900, 1200 and 1500 s.
 */
import { describe, expect, it } from 'vitest';
import { runCourse } from '../../../src/worker/course/index.ts';
import { alive } from '../../../src/worker/course/alive.ts';
import { ALIVE_DEFAULTS as D, aliveRuns, workedExample } from '../../../src/worker/course/alive-figures.ts';
import { mqttDeaths } from '../../../src/worker/course/alive-checks.ts';
import { mqttScenario, wsScenario } from '../../../src/worker/course/alive-scenario.ts';
import type { AliveResult, SideId } from '../../../src/worker/course/alive-types.ts';

const side = (r: AliveResult, id: SideId) => r.sides.find((s) => s.side === id)!;
const fates = (r: AliveResult, protocol: 'websocket' | 'mqtt') =>
  r.alerts.filter((a) => a.protocol === protocol).map((a) => a.deliveredAtMs ?? a.lostReason);
const run = (r: AliveResult, protocol: 'websocket' | 'mqtt') => r.runs.find((x) => x.protocol === protocol)!;

describe('the scenarios', () => {
  it('puts the NAT or the dark period on the device link only, and the heartbeats where they are asked for', () => {
    const ws = wsScenario({ ...D, heartbeatS: 30, browserHeartbeat: true }) as { durationS: number; nodes: { id: string; link?: unknown; ws?: unknown }[] };
    expect(ws.durationS).toBe(1800);
    expect(ws.nodes).toEqual([
      { id: 'server', role: 'ws-server', ws: { push: [{ payloadBytes: 40, everyMs: 300_000, startS: 300 }], heartbeatS: 30 } },
      { id: 'browser', role: 'ws-client', link: { lossPct: 0, idleTimeoutS: 120 }, ws: { reconnect: { initialDelayS: 1, jitter: 0 }, heartbeatS: 30 } },
    ]);
    const mqtt = mqttScenario({ ...D, failure: 'dark', keepaliveS: 15 }, { alerts: false }) as { nodes: Record<string, unknown>[] };
    expect(mqtt.nodes[1]!.publish).toEqual([]);
    // Dark from 120 s to the end of the 1800 s run.
    expect(mqtt.nodes[2]).toEqual({ id: 'device', role: 'mqtt-client', link: { lossPct: 0, outages: [{ atS: 120, forS: 1680 }] }, mqtt: { keepaliveS: 15 }, subscribe: [{ topic: 'alerts', qos: 0 }] });
  });

  it('refuses a bad input naming the field', () => {
    expect(() => runCourse('alive', { ...D, keepaliveS: -1 })).toThrow(/keepaliveS/);
    expect(() => runCourse('alive', { ...D, failure: 'cable' })).toThrow(/failure/);
  });
});

describe('the default: a NAT that forgets after 120 s, keepalive 60 s, no WebSocket heartbeat', () => {
  const r = aliveRuns.base();

  it('the WebSocket dies silently at 120.2 s and only the server learns it, when TCP gives up on the first alert', () => {
    // The browser's last packet crossed the NAT at 0.2 s: forgotten from 0.2 + 120 s.
    // Dropped: the first alert and its 16 resends, and the alerts of 600, 900 and 1200 s, which
    // still go out as new data while the first is retried (later resends merge them: 84, 126 bytes).
    expect(run(r, 'websocket')).toEqual({ protocol: 'websocket', diedAtMs: 120_200, deaths: 1, dropped: 20, retransmits: 16 });
    // The alert at 300 s is dropped; a tail-loss probe at 300.3 s, then timeouts at 300.6, 301.2,
    // 302.4, ... 453.6 s (the backoff doubles from 0.3 s up to the 120 s cap), then every 120 s to
    // 1173.6 s: 15 timeouts, and at the 16th (1293.6 s) TCP gives up (tcp_retries2 = 15).
    expect(side(r, 'ws-server')).toMatchObject({ detectedAtMs: 1_293_600, detectMs: 1_293_600 - 120_200, closeCode: 1006, connections: 1 });
    expect(side(r, 'ws-server').how).toMatch(/^TCP gave up/);
    // The browser sent nothing: nothing of its own went unanswered, so it never learns.
    expect(side(r, 'ws-browser')).toMatchObject({ detectedAtMs: null, detectMs: null, closeCode: null });
    // Four alerts went into the dead connection; the fifth, after the server gave up, had no connection.
    expect(fates(r, 'websocket')).toEqual(['connection-died', 'connection-died', 'connection-died', 'connection-died', 'client-offline']);
  });

  it('keepalive 60 s keeps the MQTT connection alive: every alert arrives 100 ms after it was published', () => {
    expect(run(r, 'mqtt')).toEqual({ protocol: 'mqtt', diedAtMs: null, deaths: 0, dropped: 0, retransmits: 0 });
    expect(side(r, 'mqtt-broker').how).toBe('nothing to detect: the connection stayed alive');
    expect(fates(r, 'mqtt')).toEqual([300_100, 600_100, 900_100, 1_200_100, 1_500_100]);
  });

  it("the ws README's 30 s heartbeat keeps the NAT's mapping alive too", () => {
    const hb = aliveRuns.heartbeat30();
    expect(run(hb, 'websocket').deaths).toBe(0);
    // Server to browser: 50 ms.
    expect(fates(hb, 'websocket')).toEqual([300_050, 600_050, 900_050, 1_200_050, 1_500_050]);
  });
});

describe('keepalive and heartbeat longer than the NAT timeout (180 s against 120 s)', () => {
  const r = aliveRuns.tooSlow();
  it('the NAT forgets before every ping; both MQTT ends give up 1.5 keepalives after they last heard', () => {
    // Forgotten at 0.34 + 120 s. The PINGREQ at 0.3 + 180 s is dropped; the device gives up half a
    // keepalive later (270.3 s); the broker received the SUBSCRIBE at 0.25 s, in second 0: due in second
    // 0 + 180 x 3 / 2 = 270, and mosquitto acts when that second is over (271 s).
    expect(run(r, 'mqtt').diedAtMs).toBe(120_340);
    expect(side(r, 'mqtt-device')).toMatchObject({ detectedAtMs: 270_300, detectMs: 270_300 - 120_340 });
    expect(side(r, 'mqtt-broker')).toMatchObject({ detectedAtMs: 271_000, detectMs: 271_000 - 120_340 });
    // The server's first ping at 0.15 + 180 s is dropped; no pong by the next tick, 360.15 s.
    expect(side(r, 'ws-server')).toMatchObject({ detectedAtMs: 360_150, closeCode: 1006 });
    expect(side(r, 'ws-server').how).toBe('no pong within 180 s of a ping (heartbeat)');
    expect(side(r, 'ws-browser')).toMatchObject({ detectedAtMs: 360_200, closeCode: 1006 });
  });
});

describe('the network goes dark at 120 s (server heartbeat 30 s, keepalive 60 s)', () => {
  const r = aliveRuns.dark();
  it('each end notices one heartbeat or keepalive period after its last exchange, and the browser not at all unless it checks', () => {
    // Server pings at 0.15 + 30 k s; the one at 120.15 s is dropped; its deadline is 150.15 s.
    expect(side(r, 'ws-server')).toMatchObject({ detectedAtMs: 150_150, detectMs: 30_150, closeCode: 1006 });
    expect(side(r, 'ws-browser')).toMatchObject({ detectedAtMs: null, detectMs: null });
    // With its own heartbeat, the browser's pings go at 0.2 + 30 k s: deadline 150.2 s.
    expect(side(aliveRuns.darkBrowser(), 'ws-browser')).toMatchObject({ detectedAtMs: 150_200, detectMs: 30_200, closeCode: 1006 });
    // MQTT: PINGREQ at 60.3 s, PINGRESP back at 60.4 s restarts the timer; the PINGREQ at 120.4 s is
    // lost; the device gives up 30 s later. The broker last heard at 60.35 s, in second 60: due in
    // second 60 + 90 = 150, acted on when it is over, at 151 s (whole seconds, as mosquitto).
    expect(side(r, 'mqtt-device')).toMatchObject({ detectedAtMs: 150_400, detectMs: 30_400 });
    expect(side(r, 'mqtt-broker')).toMatchObject({ detectedAtMs: 151_000, detectMs: 31_000 });
    expect(workedExample()).toEqual({ lastHeardMs: 60_350, lastPacket: 'PINGREQ', lastSentMs: 60_300, brokerClosedMs: 151_000, deviceGaveUpMs: 150_400 });
  });

  it('shows on the timeline what each end sent and saw, and when it gave up', () => {
    const server = r.events.filter((e) => e.side === 'ws-server' && e.tMs >= 120_000 && e.tMs <= 150_150).map((e) => `${e.tMs} ${e.dir} ${e.text}`);
    // The ping at 120.15 s (a 2-byte frame, 54 bytes on the wire) is lost 25 ms later on the
    // browser's link; TCP resends it after each timeout; at 150.15 s no pong: the server terminates.
    expect(server.slice(0, 3)).toEqual(['120150 sent ping', '120175 lost dark network dropped a 54-byte packet', '120450 sent TCP retransmission (tail-loss-probe)']);
    expect(server.at(-1)).toBe('150150 note closed: code 1006 (no Close frame)');
    expect(r.events.some((e) => e.side === 'mqtt-broker' && e.tMs === 151_000 && e.text === 'keepalive timeout: closes the connection')).toBe(true);
  });
});

describe('figures and checks', () => {
  it('computes the prose figures from the runs', () => {
    const f = alive.figures!();
    expect(f.baseServerDetect).toBe('19.6 minutes'); // 1,173.4 s
    expect(f.tcpGiveUp).toBe('993.6 s (16.6 minutes)'); // 1293.6 - 300 s
    expect(f.darkBrokerDetect).toBe('31 s'); // 151 - 120 s
    expect(f.slowBrokerDetect).toBe('150.66 s'); // 271 - 120.34 s
    expect(f.tcpKeepaliveTotal).toBe('131.25 minutes'); // 7200 + 9 x 75 s
  });

  it('finds the longest keepalive that beats a 300 s NAT by running it', () => {
    // 240 s: pings well inside 300 s. 360 s: the first ping (at 360.3 s) comes after the mapping died
    // (0.34 + 300 s), the device gives up at 540.3 s, reconnects at 541.3 s, and again every 541 s or so.
    expect(mqttDeaths({ ...D, idleTimeoutS: 300, keepaliveS: 240 })).toBe(0);
    expect(mqttDeaths({ ...D, idleTimeoutS: 300, keepaliveS: 360 })).toBe(3);
    const q = alive.checks().find((c) => c.id === 'ch7-nat-keepalive')!;
    expect(q.choices).toEqual(['120 s', '240 s', '360 s', '600 s']);
    expect(q.answer).toBe(1);
    expect(q.slips?.[2]).toMatch(/NAT knows nothing about MQTT/);
  });

  it("asks when the broker closes, with the slips' values computed", () => {
    const q = alive.checks().find((c) => c.id === 'ch7-broker-closes')!;
    // 151: second 60 + 90, when it is over (mosquitto's whole seconds); the slips: 60.35 + 90 = 150.35
    // (150.4 rounded, the exact 1.5 x), + 60 = 120.35; + 30 = 90.35; 120 + 90 = 210.
    expect(q.choices).toEqual(['90.4 s', '120.4 s', '150.4 s', '151 s', '210 s']);
    expect(q.answer).toBe(3);
  });
});
