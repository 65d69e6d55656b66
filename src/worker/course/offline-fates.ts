/**
 * Chapter 6: what each subscriber got of each message and will, when, and why, read from a run's
 * trace. MQTT messages are flows publisher -> subscriber decided by the run's FlowLedger
 * (simulator/protocols/mqtt/client-flows.ts); a delivery is "retained" when the PUBLISH that carried
 * it had RETAIN 1, "held" when its publisher was offline when it was sent, "queued" when the
 * subscriber connected again between the send and the delivery (the broker kept it in the session).
 * WebSocket messages are two flows joined as chapter 5 joins them: the server relays a message to
 * every client it has seen at the moment it first delivers it, so the app-send records on the
 * server's flows that follow an app-deliver at the server are that message's relays.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { reasonInfo } from './guarantees-fates.ts';
import { HUB, outagesOf, PUBLISHERS, SUBSCRIBERS, WILL_TOPIC } from './offline-scenario.ts';
import { DEVICES, type DeviceId, type MessageFate, type OfflineInput, type Online, type OutcomeCounts, type WillEvent } from './offline-types.ts';

const ms = (t: number) => Math.round(t / 1000);
const s1 = (t: number) => (t / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 });
const isDevice = (x: string): x is DeviceId => (DEVICES as readonly string[]).includes(x);

/** Connected intervals of each device, from its own events (MQTT: connected / disconnected; WebSocket: open / close). */
export function onlineIntervals(trace: readonly TraceRecord[]): Online[] {
  const open = new Map<DeviceId, number>();
  const out: Online[] = [];
  for (const r of trace) {
    if (r.kind !== 'mqtt-event' && r.kind !== 'ws-event') continue;
    if (!isDevice(r.node)) continue;
    const up = r.kind === 'mqtt-event' ? r.event === 'connected' : r.event === 'open';
    const down = r.kind === 'mqtt-event' ? r.event.startsWith('disconnected') : r.event === 'closed';
    if (up && !open.has(r.node)) open.set(r.node, ms(r.t));
    else if (down && open.has(r.node)) {
      out.push({ device: r.node, fromMs: open.get(r.node)!, untilMs: ms(r.t) });
      open.delete(r.node);
    }
  }
  for (const [device, fromMs] of open) out.push({ device, fromMs, untilMs: null });
  return out.sort((a, b) => a.fromMs - b.fromMs);
}

/** When `device` next (re)connected after `afterMs`, or null (a reconnect between a send and its delivery means it was kept for the subscriber). */
function nextConnect(online: Online[], device: DeviceId, afterMs: number): number | null {
  return online.find((o) => o.device === device && o.fromMs > afterMs)?.fromMs ?? null;
}

/** True when `device` was inside one of its drawn outages at `atMs`. */
function outageAt(input: OfflineInput, device: DeviceId, atMs: number): boolean {
  return outagesOf(input, device).some((o) => atMs >= o.atS * 1000 && atMs < (o.atS + o.forS) * 1000);
}

export function emptyCounts(): OutcomeCounts {
  return { live: 0, queued: 0, held: 0, retained: 0, will: 0, queueFull: 0, qos0NotQueued: 0, beforeJoin: 0, lost: 0, inFlight: 0 };
}

export function countOutcomes(fates: MessageFate[]): Record<'phone' | 'tablet', OutcomeCounts> {
  const counts = { phone: emptyCounts(), tablet: emptyCounts() };
  const key = { live: 'live', queued: 'queued', held: 'held', retained: 'retained', will: 'will', 'queue-full': 'queueFull', 'qos0-not-queued': 'qos0NotQueued', 'before-join': 'beforeJoin', lost: 'lost', 'in-flight': 'inFlight' } as const;
  for (const f of fates) if (f.subscriber === 'phone' || f.subscriber === 'tablet') counts[f.subscriber][key[f.outcome]]++;
  return counts;
}

/** Why a delivered message took the path it took (shared by both sides). */
function deliveredFate(input: OfflineInput, online: Online[], base: Omit<MessageFate, 'outcome' | 'deliveredMs' | 'reason' | 'why'>, deliveredMs: number, retained: boolean, side: 'mqtt' | 'ws'): MessageFate {
  const { publisher, subscriber, sentMs } = base;
  const back = nextConnect(online, subscriber, sentMs);
  const d = { ...base, deliveredMs, reason: '' };
  if (retained) {
    return { ...d, outcome: 'retained', why: `${subscriber} subscribed at ${s1(back ?? deliveredMs)} s; the broker kept this as the retained message of ${base.topic} and sent it with RETAIN 1` };
  }
  if (outageAt(input, publisher, sentMs)) {
    return { ...d, outcome: 'held', why: `${publisher} was offline when it sent this; its client kept it and sent it after reconnecting (${s1(deliveredMs - sentMs)} s late)` };
  }
  if (back !== null && back <= deliveredMs) {
    const keeper = side === 'mqtt' ? "the broker kept it in the session" : "the server kept it in the client's replay buffer";
    return { ...d, outcome: 'queued', why: `${subscriber} was away; ${keeper} and sent it when ${subscriber} came back at ${s1(back)} s` };
  }
  return { ...d, outcome: 'live', why: `delivered ${s1(deliveredMs - sentMs)} s after it was sent` };
}

function lostFate(input: OfflineInput, base: Omit<MessageFate, 'outcome' | 'deliveredMs' | 'reason' | 'why'>, reason: string, side: 'mqtt' | 'ws'): MessageFate {
  const d = { ...base, deliveredMs: null, reason };
  const who = base.subscriber;
  switch (reason) {
    case 'broker-queue-full':
      return { ...d, outcome: 'queue-full', why: `${who}'s queue at the broker already held ${input.maxQueued} messages (max_queued_messages): dropped` };
    case 'buffer-full':
      return { ...d, outcome: 'queue-full', why: `pushed out of the server's replay buffer for ${who} (${input.maxQueued} messages) before ${who} came back` };
    case 'broker-qos0-dropped-offline':
      return { ...d, outcome: 'qos0-not-queued', why: `QoS 0 for an absent ${who}: mosquitto does not queue it (queue_qos0_messages false)` };
    case 'sent-before-subscription':
      return { ...d, outcome: 'before-join', why: `sent before ${who} first subscribed; only the newest retained message of a topic waits for late joiners` };
    default: {
      const info = reasonInfo(reason);
      return { ...d, outcome: 'lost', why: side === 'ws' && reason === 'client-offline' ? `relayed while ${who} was disconnected, with nothing kept` : info.why.replaceAll('dashboard', who).replaceAll('sensor', base.publisher) };
    }
  }
}

/** The last PUBLISH each node received, as trace order goes: its RETAIN flag decides "retained". */
function mqttFlowInfo(trace: readonly TraceRecord[]): Map<string, { from: DeviceId; to: DeviceId; topic: string; qos: 0 | 1 | 2 }> {
  const flows = new Map<string, { from: DeviceId; to: DeviceId; topic: string; qos: 0 | 1 | 2 }>();
  for (const r of trace) {
    if (r.kind === 'flow' && isDevice(r.from) && isDevice(r.to)) flows.set(r.flow, { from: r.from, to: r.to, topic: r.topic ?? '', qos: (r.qos ?? 0) as 0 | 1 | 2 });
  }
  return flows;
}

export function mqttFates(input: OfflineInput, trace: readonly TraceRecord[], online: Online[]): { fates: MessageFate[]; wills: WillEvent[] } {
  const flows = mqttFlowInfo(trace);
  const sent = new Map<string, number>();
  const delivered = new Map<string, { t: number; retained: boolean }>();
  const lost = new Map<string, string>();
  const lastPublish = new Map<string, { retain: boolean; topic: string }>();
  const wills: WillEvent[] = [];
  const willFates: MessageFate[] = [];
  for (const r of trace) {
    if (r.kind === 'mqtt-packet' && r.dir === 'receive' && r.type === 'publish' && isDevice(r.node)) {
      lastPublish.set(r.node, { retain: r.retain === true, topic: r.topic ?? '' });
      const device = DEVICES.find((dv) => r.topic === WILL_TOPIC(dv));
      if (device !== undefined) {
        const sub = r.node;
        const at = wills.filter((w) => w.device === device).at(-1)?.atMs ?? ms(r.t);
        const base = { label: `will of ${device}`, publisher: device, subscriber: sub, topic: r.topic ?? '', qos: (r.qos ?? 0) as 0 | 1 | 2, sentMs: at, deliveredMs: ms(r.t), reason: '' };
        willFates.push(r.retain
          ? { ...base, outcome: 'retained', why: `${sub} subscribed after the will went out at ${s1(at)} s; it was retained, so ${sub} learns that ${device} is gone` }
          : { ...base, outcome: 'will', why: `${device} vanished without a DISCONNECT; the broker published its will at ${s1(at)} s` });
      }
    } else if (r.kind === 'mqtt-event' && r.node === HUB && r.event === 'will-published' && r.clientId !== undefined && isDevice(r.clientId)) {
      const timeout = [...trace].reverse().find((e) => e.kind === 'mqtt-event' && e.node === HUB && e.event === 'keepalive-timeout' && e.clientId === r.clientId && e.t <= r.t);
      const silent = timeout?.kind === 'mqtt-event' ? /nothing received for ([\d.]+) ms/.exec(timeout.detail ?? '') : null;
      wills.push({ device: r.clientId, atMs: ms(r.t), lastHeardMs: silent ? ms(timeout!.t - Number(silent[1]) * 1000) : ms(r.t), topic: WILL_TOPIC(r.clientId) });
    } else if (r.kind === 'app-send' && flows.has(r.flow)) {
      sent.set(`${r.flow}#${r.msg}`, ms(r.t));
    } else if (r.kind === 'app-deliver' && flows.has(r.flow) && !r.duplicate) {
      const key = `${r.flow}#${r.msg}`;
      if (!delivered.has(key)) delivered.set(key, { t: ms(r.t), retained: lastPublish.get(flows.get(r.flow)!.to)?.retain === true });
    } else if (r.kind === 'app-lost' && flows.has(r.flow)) {
      lost.set(`${r.flow}#${r.msg}`, r.reason);
    }
  }
  const fates: MessageFate[] = [];
  for (const [key, sentMs] of sent) {
    const [flow, n] = key.split('#') as [string, string];
    const f = flows.get(flow)!;
    const base = { label: `${f.from} #${Number(n) + 1}`, publisher: f.from, subscriber: f.to, topic: f.topic, qos: PUBLISHERS[f.from as 'thermo' | 'door']?.qos ?? f.qos, sentMs };
    const got = delivered.get(key);
    const why = lost.get(key);
    if (got !== undefined) fates.push(deliveredFate(input, online, base, got.t, got.retained, 'mqtt'));
    else if (why !== undefined) fates.push(lostFate(input, base, why, 'mqtt'));
    else fates.push({ ...base, outcome: 'in-flight', deliveredMs: null, reason: '', why: 'still on its way when the run ended' });
  }
  return { fates: sortFates([...fates, ...willFates]), wills };
}

export function sortFates(fates: MessageFate[]): MessageFate[] {
  const order = (d: DeviceId) => DEVICES.indexOf(d);
  return fates.sort((a, b) => a.sentMs - b.sentMs || order(a.publisher) - order(b.publisher) || order(a.subscriber) - order(b.subscriber));
}

/** The WebSocket side: upstream message -> its relays, then each relay's fate. */
export function wsFates(input: OfflineInput, trace: readonly TraceRecord[], online: Online[]): MessageFate[] {
  const upstream = new Map<string, DeviceId>(); // ws:thermo->hub -> thermo
  const downstream = new Map<string, DeviceId>(); // ws:hub->phone -> phone
  for (const r of trace) {
    if (r.kind !== 'flow' || r.protocol !== 'websocket') continue;
    if (r.to === HUB && isDevice(r.from)) upstream.set(r.flow, r.from);
    else if (r.from === HUB && isDevice(r.to) && (SUBSCRIBERS as readonly string[]).includes(r.to)) downstream.set(r.flow, r.to);
  }
  const msgs = new Map<string, { publisher: DeviceId; n: number; sentMs: number; lostReason?: string; relays: Map<DeviceId, string> }>();
  let current: { key: string; t: number } | undefined;
  const relayOf = new Map<string, string>(); // `${downFlow}#${k}` -> upstream key
  const fateOfRelay = new Map<string, { deliveredMs?: number; lost?: string }>();
  for (const r of trace) {
    if (r.kind === 'app-send' && upstream.has(r.flow)) {
      msgs.set(`${r.flow}#${r.msg}`, { publisher: upstream.get(r.flow)!, n: r.msg, sentMs: ms(r.t), relays: new Map() });
    } else if (r.kind === 'app-deliver' && upstream.has(r.flow) && !r.duplicate) {
      current = { key: `${r.flow}#${r.msg}`, t: r.t };
    } else if (r.kind === 'app-lost' && upstream.has(r.flow)) {
      const m = msgs.get(`${r.flow}#${r.msg}`);
      if (m !== undefined) m.lostReason = r.reason;
    } else if (r.kind === 'app-send' && downstream.has(r.flow) && current !== undefined && current.t === r.t) {
      relayOf.set(`${r.flow}#${r.msg}`, current.key);
      msgs.get(current.key)?.relays.set(downstream.get(r.flow)!, `${r.flow}#${r.msg}`);
    } else if (r.kind === 'app-deliver' && downstream.has(r.flow) && !r.duplicate) {
      const key = `${r.flow}#${r.msg}`;
      if (!fateOfRelay.get(key)?.deliveredMs) fateOfRelay.set(key, { deliveredMs: ms(r.t) });
    } else if (r.kind === 'app-lost' && downstream.has(r.flow)) {
      const key = `${r.flow}#${r.msg}`;
      if (fateOfRelay.get(key)?.deliveredMs === undefined) fateOfRelay.set(key, { lost: r.reason });
    }
  }
  const fates: MessageFate[] = [];
  for (const m of msgs.values()) {
    const p = PUBLISHERS[m.publisher as 'thermo' | 'door'];
    if (p === undefined) continue;
    for (const subscriber of SUBSCRIBERS) {
      const base = { label: `${m.publisher} #${m.n + 1}`, publisher: m.publisher, subscriber, topic: p.topic, qos: p.qos, sentMs: m.sentMs };
      const relay = m.relays.get(subscriber);
      if (relay === undefined) {
        if (m.lostReason !== undefined) fates.push({ ...lostFate(input, base, m.lostReason, 'ws'), why: `lost before the server: ${reasonInfo(m.lostReason).why.replaceAll('sensor', m.publisher)}` });
        else if (online.some((o) => o.device === subscriber && o.fromMs <= m.sentMs)) fates.push({ ...base, outcome: 'in-flight', deliveredMs: null, reason: '', why: 'not yet at the server when the run ended' });
        else fates.push({ ...base, outcome: 'before-join', deliveredMs: null, reason: '', why: `the server had never seen ${subscriber}: nothing is kept for a client it does not know (no retained value unless the application stores one)` });
        continue;
      }
      const f = fateOfRelay.get(relay);
      if (f?.deliveredMs !== undefined) fates.push(deliveredFate(input, online, base, f.deliveredMs, false, 'ws'));
      else if (f?.lost !== undefined) fates.push(lostFate(input, base, f.lost, 'ws'));
      else fates.push({ ...base, outcome: 'in-flight', deliveredMs: null, reason: '', why: 'still on its way when the run ended' });
    }
  }
  return sortFates(fates);
}

/** When the broker knew each client had gone: a DISCONNECT read, a keepalive timeout or a connection lost. */
export function mqttKnew(trace: readonly TraceRecord[]): { device: DeviceId; atMs: number; how: string }[] {
  const out: { device: DeviceId; atMs: number; how: string }[] = [];
  for (const r of trace) {
    if (r.kind !== 'mqtt-event' || r.node !== HUB || r.clientId === undefined || !isDevice(r.clientId)) continue;
    if (r.event === 'client-disconnected' || r.event === 'keepalive-timeout' || r.event === 'connection-lost') out.push({ device: r.clientId, atMs: ms(r.t), how: r.event });
  }
  return out;
}

/** When the WebSocket server's heartbeat found each device's connection dead (ws-event "closed" at the server). */
export function wsNoticed(trace: readonly TraceRecord[]): { device: DeviceId; atMs: number }[] {
  const out: { device: DeviceId; atMs: number }[] = [];
  for (const r of trace) {
    if (r.kind !== 'ws-event' || r.node !== HUB || r.event !== 'closed') continue;
    const device = r.conn.split(':')[0] ?? '';
    if (isDevice(device)) out.push({ device, atMs: ms(r.t) });
  }
  return out;
}
