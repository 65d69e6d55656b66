/**
 * Chapter 7's figures: the named runs the prose quotes (`<Measure of="alive.x" />`), each computed
 * once per build, the input schema and the defaults the widget starts with.
 */
import * as z from 'zod';
import { once } from './module.ts';
import { courseAlive, runProtocol } from './alive-run.ts';
import { ALIVE_DEFAULTS, ALERT_EVERY_S, DARK_AT_S, RUN_S } from './alive-scenario.ts';
import type { AliveInput, AliveResult, SideId } from './alive-types.ts';

export { ALIVE_DEFAULTS };

export const aliveInput = z.strictObject({
  failure: z.enum(['nat', 'dark']),
  idleTimeoutS: z.number().min(5).max(7200),
  keepaliveS: z.number().int().min(0).max(1200),
  heartbeatS: z.number().min(0).max(1200),
  browserHeartbeat: z.boolean(),
  latencyMs: z.number().min(0).max(500),
  lossPct: z.number().min(0).max(20),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}) satisfies z.ZodType<AliveInput>;

/**
 * Linux's TCP keepalive defaults (Documentation/networking/ip-sysctl.rst): probes only on sockets
 * that ask for them (SO_KEEPALIVE; a `ws` server does not by default), after
 * tcp_keepalive_time = 7200 s of silence, tcp_keepalive_probes = 9 of them tcp_keepalive_intvl = 75 s
 * apart. The simulated TCP does not model keepalive probes: the chapter quotes these, it does not run them.
 */
export const LINUX_TCP_KEEPALIVE = { timeS: 7200, probes: 9, intervalS: 75 } as const;

const D = ALIVE_DEFAULTS;
/** The named runs the prose quotes. */
export const aliveRuns = {
  /** The default: NAT forgets after 120 s, mqtt.js's keepalive of 60 s, no WebSocket heartbeat. */
  base: once(() => courseAlive(D)),
  /** The `ws` README's heartbeat of 30 s, same NAT. */
  heartbeat30: once(() => courseAlive({ ...D, heartbeatS: 30 })),
  /** Keepalive and heartbeat both longer than the NAT's timeout (180 s against 120 s), the browser checking too. */
  tooSlow: once(() => courseAlive({ ...D, keepaliveS: 180, heartbeatS: 180, browserHeartbeat: true })),
  /** The network goes dark at 120 s; a 30 s server heartbeat, keepalive 60 s, the browser not checking. */
  dark: once(() => courseAlive({ ...D, failure: 'dark', heartbeatS: 30 })),
  /** The same, the browser app checking too. */
  darkBrowser: once(() => courseAlive({ ...D, failure: 'dark', heartbeatS: 30, browserHeartbeat: true })),
  /** What keepalive costs: the default MQTT run with no alerts at all. */
  quietMqtt: once(() => runProtocol(D, 'mqtt', { alerts: false })),
  /** The worked example: the MQTT run of `dark`, read packet by packet. */
  darkMqtt: once(() => runProtocol({ ...D, failure: 'dark', heartbeatS: 30 }, 'mqtt')),
};

export function sideOf(result: AliveResult, side: SideId) {
  const s = result.sides.find((x) => x.side === side);
  if (!s) throw new Error(`no side ${side}`);
  return s;
}

/** The worked example's moments, read from the dark MQTT run: the last packet the broker heard and when it gave up. */
export function workedExample() {
  const run = aliveRuns.darkMqtt();
  const dark = DARK_AT_S * 1_000_000;
  let lastHeard = 0;
  let lastPacket = '';
  let lastSent = 0;
  for (const r of run.trace) {
    if (r.kind !== 'mqtt-packet' || r.t >= dark || !r.conn.startsWith('device:')) continue;
    if (r.node === 'broker' && r.dir === 'receive') {
      lastHeard = r.t;
      lastPacket = r.type.toUpperCase();
    }
    if (r.node === 'device' && r.dir === 'send') lastSent = r.t;
  }
  const broker = sideOf(aliveRuns.dark(), 'mqtt-broker');
  const device = sideOf(aliveRuns.dark(), 'mqtt-device');
  return { lastHeardMs: lastHeard / 1000, lastPacket, lastSentMs: lastSent / 1000, brokerClosedMs: broker.detectedAtMs, deviceGaveUpMs: device.detectedAtMs };
}

/**
 * Bytes on the device's link (IP and TCP headers included, both directions) per hour of silence,
 * with keepalive only: measured over the quiet run from the first keepalive period to its end.
 */
export function keepaliveCost() {
  const run = aliveRuns.quietMqtt();
  const from = D.keepaliveS * 1_000_000;
  let bytes = 0;
  let packets = 0;
  for (const r of run.trace) {
    if (r.kind !== 'link-send' || r.t < from || !r.link.includes('device')) continue;
    bytes += r.bytes;
    packets++;
  }
  const hours = (RUN_S * 1_000_000 - from) / 3_600_000_000;
  return { bytesPerHour: Math.round(bytes / hours), packetsPerHour: Math.round(packets / hours) };
}

const num = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const sec = (ms: number | null) => (ms === null ? 'never (not within the run)' : `${num(ms / 1000, 2)} s`);
const minutes = (ms: number | null) => (ms === null ? 'never (not within the run)' : `${num(ms / 60_000)} minutes`);
const lostOf = (r: AliveResult, protocol: 'websocket' | 'mqtt') => r.alerts.filter((a) => a.protocol === protocol && a.deliveredAtMs === null).length;

/** How long TCP kept retrying the first alert before it gave up, ms (the default run). */
export function tcpGiveUpMs(): number {
  const base = aliveRuns.base();
  const server = sideOf(base, 'ws-server');
  const first = base.alerts.find((a) => a.protocol === 'websocket')!;
  return server.detectedAtMs === null ? Number.NaN : server.detectedAtMs - first.sentAtMs;
}

export function aliveFigures() {
  const base = aliveRuns.base();
  const hb = aliveRuns.heartbeat30();
  const slow = aliveRuns.tooSlow();
  const dark = aliveRuns.dark();
  const darkB = aliveRuns.darkBrowser();
  const w = workedExample();
  const wsRun = (r: AliveResult) => r.runs.find((x) => x.protocol === 'websocket')!;
  const mqttRun = (r: AliveResult) => r.runs.find((x) => x.protocol === 'mqtt')!;
  return {
    runMinutes: `${RUN_S / 60} minutes`,
    alertEvery: `${ALERT_EVERY_S / 60} minutes`,
    alerts: num(base.alertTimesMs.length),
    natTimeout: `${D.idleTimeoutS} s`,
    keepalive: `${D.keepaliveS} s`,
    darkAt: `${DARK_AT_S} s`,
    // The default run.
    baseWsDiedAt: sec(wsRun(base).diedAtMs),
    baseServerDetect: minutes(sideOf(base, 'ws-server').detectMs),
    baseServerAt: minutes(sideOf(base, 'ws-server').detectedAtMs),
    baseBrowserDetect: minutes(sideOf(base, 'ws-browser').detectMs),
    baseWsLost: num(lostOf(base, 'websocket')),
    baseMqttLost: num(lostOf(base, 'mqtt')),
    baseMqttDeaths: num(mqttRun(base).deaths),
    tcpGiveUp: `${num(tcpGiveUpMs() / 1000)} s (${minutes(tcpGiveUpMs())})`,
    tcpRetransmits: num(wsRun(base).retransmits),
    baseCloseCode: String(sideOf(base, 'ws-server').closeCode ?? '—'),
    // The ws README's heartbeat.
    hbWsDeaths: num(wsRun(hb).deaths),
    hbWsLost: num(lostOf(hb, 'websocket')),
    // Keepalive and heartbeat longer than the NAT's timeout.
    slowMqttDeaths: num(mqttRun(slow).deaths),
    slowWsDeaths: num(wsRun(slow).deaths),
    slowBrokerDetect: sec(sideOf(slow, 'mqtt-broker').detectMs),
    slowDeviceDetect: sec(sideOf(slow, 'mqtt-device').detectMs),
    slowMqttLost: num(lostOf(slow, 'mqtt')),
    slowWsLost: num(lostOf(slow, 'websocket')),
    // The dark network.
    darkServerDetect: sec(sideOf(dark, 'ws-server').detectMs),
    darkBrowserDetect: sec(sideOf(dark, 'ws-browser').detectMs),
    darkBrowserCheckedDetect: sec(sideOf(darkB, 'ws-browser').detectMs),
    darkBrokerDetect: sec(sideOf(dark, 'mqtt-broker').detectMs),
    darkDeviceDetect: sec(sideOf(dark, 'mqtt-device').detectMs),
    darkBrowserCode: String(sideOf(darkB, 'ws-browser').closeCode ?? '—'),
    // The worked example.
    workedLastHeard: sec(w.lastHeardMs),
    workedGrace: `${1.5 * D.keepaliveS} s`,
    workedLastPacket: w.lastPacket,
    workedBrokerCloses: sec(w.brokerClosedMs),
    workedDeviceGivesUp: sec(w.deviceGaveUpMs),
    workedLastSent: sec(w.lastSentMs),
    keepaliveBytesPerHour: `${num(keepaliveCost().bytesPerHour, 0)} bytes`,
    keepalivePacketsPerHour: num(keepaliveCost().packetsPerHour, 0),
    // Linux's own keepalive, quoted (not simulated).
    tcpKeepaliveTime: `${LINUX_TCP_KEEPALIVE.timeS / 3600} hours`,
    tcpKeepaliveTotal: `${num((LINUX_TCP_KEEPALIVE.timeS + LINUX_TCP_KEEPALIVE.probes * LINUX_TCP_KEEPALIVE.intervalS) / 60, 2)} minutes`,
  };
}
