/**
 * Chapter 7 in the worker: runs the WebSocket and the MQTT scenario (./alive-scenario.ts) with the
 * same failure and reads from each trace when the device's first connection died, when each end
 * learned it (and what told it), what every end sent and saw, and what became of the alerts.
 *
 * "Died": for a NAT, the moment its mapping expired, i.e. the connection's last packet through the
 * NAT plus the idle timeout (the middlebox forgets lazily, at the next packet, but from then on
 * nothing gets through); for the dark network, the start of the outage.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import { parseScenario, type Scenario } from '../../../simulator/scenarios/schema.ts';
import { APP_VERSION } from '../../lib/version.ts';
import { DEFAULT_TRACE_LIMIT, type RunSnapshot } from '../api.ts';
import { makeSnapshot } from '../snapshot.ts';
import { alertTimesMs, DARK_AT_S, mqttScenario, RUN_S, wsScenario, type ScenarioOptions } from './alive-scenario.ts';
import { timelineEvents } from './alive-timeline.ts';
import type { AlertFate, AliveEvent, AliveInput, AliveResult, ProtocolRun, SideResult } from './alive-types.ts';

/** The timeline keeps at most this many events per protocol (a 5 s heartbeat for 30 minutes makes about 1,500). */
export const ALIVE_EVENT_LIMIT = 3000;
/** Events one run may use (a 5 s heartbeat with 10 % loss for 30 minutes needs far fewer). */
const EVENT_BUDGET = 2_000_000;

export interface RawRun {
  protocol: 'websocket' | 'mqtt';
  scenario: Scenario;
  trace: TraceRecord[];
  endTime: number;
}

export function runProtocol(input: AliveInput, protocol: 'websocket' | 'mqtt', options: ScenarioOptions = {}): RawRun {
  const parsed = parseScenario(protocol === 'websocket' ? wsScenario(input, options) : mqttScenario(input, options));
  if (!parsed.ok) throw new Error(`chapter 7's ${protocol} scenario is not valid: ${parsed.errors.join('; ')}`);
  const run = runScenario(parsed.scenario, watched({ seed: input.seed, eventBudget: EVENT_BUDGET }));
  return { protocol, scenario: parsed.scenario, trace: run.trace, endTime: run.endTime };
}

const ms = (us: number) => us / 1000;
const DEVICE = { websocket: 'browser', mqtt: 'device' } as const;
const SERVER = { websocket: 'server', mqtt: 'broker' } as const;

/** The device's connections in the order they were opened. */
export function deviceConnections(trace: TraceRecord[], device: string): string[] {
  const out: string[] = [];
  for (const r of trace) if (r.kind === 'tcp-state' && r.node === device && r.from === 'CLOSED' && !out.includes(r.conn)) out.push(r.conn);
  return out;
}

/** When a connection died: its NAT mapping expired, or the dark period began while it was open; null if it did not. */
export function diedAt(trace: TraceRecord[], conn: string, device: string, input: AliveInput): number | null {
  const onDeviceLink = (link: string) => link.startsWith(`${device}->`) || link.endsWith(`->${device}`);
  if (input.failure === 'dark') {
    let opened: number | null = null;
    let closedAt: number | null = null;
    for (const r of trace) {
      if (r.kind !== 'tcp-state' || r.conn !== conn || r.node !== device) continue;
      if (r.to === 'ESTABLISHED' && opened === null) opened = r.t;
      if (r.to === 'CLOSED' && closedAt === null) closedAt = r.t;
    }
    const dark = DARK_AT_S * 1_000_000;
    return opened !== null && opened <= dark && (closedAt === null || closedAt > dark) ? dark : null;
  }
  // The last packet the NAT let through before its first drop (the dropped packet's own link-send
  // comes just before its drop, so it is skipped by its link and index).
  const sends: { t: number; link: string; packet: number }[] = [];
  for (const r of trace) {
    if (r.kind === 'link-drop' && r.conn === conn && r.reason === 'idle-timeout' && onDeviceLink(r.link)) {
      const passed = sends.filter((x) => !(x.link === r.link && x.packet === r.packet)).at(-1);
      return passed === undefined ? null : passed.t + input.idleTimeoutS * 1_000_000;
    }
    if (r.kind === 'link-send' && r.conn === conn && onDeviceLink(r.link)) sends.push({ t: r.t, link: r.link, packet: r.packet });
  }
  return null;
}

interface Detection {
  atUs: number;
  how: string;
  reported: string;
  closeCode: number | null;
}

/** When and how one end of a WebSocket learned that connection `conn` was gone. */
function wsDetection(trace: TraceRecord[], node: string, conn: string, input: AliveInput): Detection | null {
  let error = '';
  let tcpFailure = '';
  let closeReceived: number | null = null;
  for (const r of trace) {
    if (r.kind === 'tcp-failure' && r.node === node && r.conn === conn) tcpFailure = r.reason;
    if (r.kind !== 'ws-event' || r.node !== node || r.conn !== conn) continue;
    if (r.event === 'error') error = r.detail ?? '';
    if (r.event === 'close-received') closeReceived = r.code ?? null;
    if (r.event === 'closed') {
      const code = r.code ?? 1006;
      let how: string;
      if (error.startsWith('PONG_TIMEOUT')) how = `no pong within ${input.heartbeatS} s of a ping (heartbeat)`;
      else if (tcpFailure === 'timeout') how = 'TCP gave up: its data went unacknowledged through 15 retransmissions (tcp_retries2)';
      else if (tcpFailure === 'reset') how = 'a TCP reset from the other end';
      else if (closeReceived !== null) how = `the other end's Close frame (${closeReceived})`;
      else how = 'TCP connection ended without a Close frame';
      const reported = `close event, code ${code}${r.detail === 'clean' ? ' (clean)' : ' (abnormal: no Close frame)'}`;
      return { atUs: r.t, how, reported, closeCode: code };
    }
  }
  return null;
}

/** When and how the broker or the MQTT device learned that the device's connection `conn` was gone. */
function mqttDetection(trace: TraceRecord[], node: string, conn: string, input: AliveInput): Detection | null {
  const k = input.keepaliveS;
  if (node === 'device') {
    // The client's own notes: `disconnected:<reason>` (simulator/runtime/roles/mqtt-client.ts).
    let open = false;
    for (const r of trace) {
      if (r.kind === 'tcp-state' && r.node === node && r.conn === conn && r.to === 'ESTABLISHED') open = true;
      if (!open || r.kind !== 'mqtt-event' || r.node !== node || !r.event.startsWith('disconnected:')) continue;
      const reason = r.event.slice('disconnected:'.length);
      if (reason === 'keepalive-timeout')
        return { atUs: r.t, how: `no PINGRESP within ${k / 2} s of its PINGREQ (keepalive ${k} s)`, reported: 'error "Keepalive timeout", then close; reconnects', closeCode: null };
      return { atUs: r.t, how: reason === 'connection-lost' ? 'TCP connection lost' : reason, reported: `close (${reason}); reconnects`, closeCode: null };
    }
    return null;
  }
  for (const r of trace) {
    if (r.kind !== 'mqtt-event' || r.node !== node || r.clientId !== 'device') continue;
    if (r.event === 'keepalive-timeout')
      return { atUs: r.t, how: `nothing received for 1.5 × keepalive (${1.5 * k} s, in whole seconds as mosquitto)`, reported: 'keepalive timeout: closes the connection, publishes the Will if any', closeCode: null };
    if (r.event === 'connection-lost' || r.event === 'client-disconnected') {
      // Only the first connection's end (a later connection's events come after its own CONNECT).
      const tcpGaveUp = trace.some((x) => x.kind === 'tcp-failure' && x.node === node && x.conn === conn && x.reason === 'timeout' && x.t <= r.t);
      return { atUs: r.t, how: tcpGaveUp ? 'TCP gave up: its data went unacknowledged through 15 retransmissions (tcp_retries2)' : 'TCP connection lost', reported: `${r.event}: closes the connection`, closeCode: null };
    }
  }
  return null;
}

const LABEL: Record<SideResult['side'], string> = {
  'ws-server': 'WebSocket server (ws)',
  'ws-browser': 'Browser (WebSocket)',
  'mqtt-broker': 'MQTT broker',
  'mqtt-device': 'MQTT device (mqtt.js)',
};

function side(run: RawRun, which: 'server' | 'device', input: AliveInput, first: string | undefined, died: number | null): SideResult {
  const id = run.protocol === 'websocket' ? (which === 'server' ? 'ws-server' : 'ws-browser') : which === 'server' ? 'mqtt-broker' : 'mqtt-device';
  const node = which === 'server' ? SERVER[run.protocol] : DEVICE[run.protocol];
  const d = first === undefined ? null : run.protocol === 'websocket' ? wsDetection(run.trace, node, first, input) : mqttDetection(run.trace, node, first, input);
  const connections = deviceConnections(run.trace, DEVICE[run.protocol]).length;
  return {
    side: id,
    label: LABEL[id],
    protocol: run.protocol,
    detectedAtMs: d === null ? null : ms(d.atUs),
    detectMs: d === null || died === null || d.atUs < died ? null : ms(d.atUs - died),
    how: d?.how ?? (died === null ? 'nothing to detect: the connection stayed alive' : `not within the run (${RUN_S / 60} minutes)`),
    reported: d?.reported ?? '—',
    closeCode: d?.closeCode ?? null,
    connections,
  };
}

function alertFates(run: RawRun): AlertFate[] {
  const flowIds = new Set<string>();
  for (const r of run.trace) if (r.kind === 'flow' && r.to === DEVICE[run.protocol]) flowIds.add(r.flow);
  const fates = new Map<number, AlertFate>();
  for (const r of run.trace) {
    if ((r.kind !== 'app-send' && r.kind !== 'app-deliver' && r.kind !== 'app-lost') || !flowIds.has(r.flow)) continue;
    if (r.kind === 'app-send') fates.set(r.msg, { protocol: run.protocol, msg: r.msg, sentAtMs: ms(r.t), deliveredAtMs: null, lostReason: null });
    const f = fates.get(r.msg);
    if (!f) continue;
    if (r.kind === 'app-deliver' && f.deliveredAtMs === null) f.deliveredAtMs = ms(r.t);
    if (r.kind === 'app-lost') f.lostReason = r.reason;
  }
  return [...fates.values()].sort((a, b) => a.msg - b.msg);
}

function protocolRun(run: RawRun, input: AliveInput): { summary: ProtocolRun; died: number | null; first: string | undefined } {
  const device = DEVICE[run.protocol];
  const conns = deviceConnections(run.trace, device);
  const deaths = conns.map((c) => diedAt(run.trace, c, device, input)).filter((t) => t !== null);
  const died = conns[0] === undefined ? null : diedAt(run.trace, conns[0], device, input);
  let dropped = 0;
  let retransmits = 0;
  const mine = new Set(conns);
  for (const r of run.trace) {
    if (r.kind === 'link-drop' && r.conn !== undefined && mine.has(r.conn) && (r.reason === 'idle-timeout' || r.reason === 'outage')) dropped++;
    if (r.kind === 'tcp-retransmit' && mine.has(r.conn)) retransmits++;
  }
  return { summary: { protocol: run.protocol, diedAtMs: died === null ? null : ms(died), deaths: deaths.length, dropped, retransmits }, died, first: conns[0] };
}

function snapshot(run: RawRun, seed: number): RunSnapshot {
  return makeSnapshot({ runId: 0, scenario: run.scenario, seed, appVersion: APP_VERSION, durationUs: run.endTime, trace: run.trace, traceLimit: DEFAULT_TRACE_LIMIT });
}

export function courseAlive(input: AliveInput): AliveResult {
  const sides: SideResult[] = [];
  const runs: ProtocolRun[] = [];
  const events: AliveEvent[] = [];
  const alerts: AlertFate[] = [];
  let omitted = 0;
  const snapshots = {} as AliveResult['snapshots'];
  for (const protocol of ['websocket', 'mqtt'] as const) {
    const run = runProtocol(input, protocol);
    const p = protocolRun(run, input);
    runs.push(p.summary);
    sides.push(side(run, 'server', input, p.first, p.died), side(run, 'device', input, p.first, p.died));
    const all = timelineEvents(run.trace, protocol);
    events.push(...all.slice(0, ALIVE_EVENT_LIMIT));
    omitted += Math.max(0, all.length - ALIVE_EVENT_LIMIT);
    alerts.push(...alertFates(run));
    snapshots[protocol] = snapshot(run, input.seed);
  }
  return { input, durationMs: RUN_S * 1000, alertTimesMs: alertTimesMs(), sides, runs, events, eventsOmitted: omitted, alerts, snapshots };
}
