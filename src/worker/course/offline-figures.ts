/**
 * Chapter 6's figures: the named runs the prose quotes (`<Measure of="offline.x" />`), each
 * computed once per build from the widget's starting schedule or a change of it named here.
 */
import { DEFAULT_BROKER_OPTIONS } from '../../../simulator/protocols/mqtt/broker-api.ts';
import { once } from './module.ts';
import { wsScenario } from './offline-scenario.ts';
import { courseOffline } from './offline-run.ts';
import { OFFLINE_DEFAULTS as D, type DeviceOutage, type OfflineInput, type OfflineResult } from './offline-types.ts';

/** The starting schedule with one device's outages replaced. */
export function withOutages(device: DeviceOutage['device'], outages: Omit<DeviceOutage, 'device'>[], input: OfflineInput = D): OfflineInput {
  return { ...input, outages: [...input.outages.filter((o) => o.device !== device), ...outages.map((o) => ({ device, ...o }))] };
}

export const figureRuns = {
  start: once(() => courseOffline(D)),
  /** The thermostat switched off cleanly over the same 20 s instead of losing its network. */
  thermoOff: once(() => courseOffline(withOutages('thermo', [{ atS: 34, forS: 20, kind: 'off' }]))),
  /** The phone with a clean session. */
  phoneClean: once(() => courseOffline({ ...D, phoneSession: 'clean' })),
  /** MQTT 5 with a will delay of 10 s (the thermostat is back before it runs out). */
  willDelay: once(() => courseOffline({ ...D, mqttVersion: '5', willDelayS: 10 })),
  /** MQTT 5 with a will delay of 5 s. */
  willDelayShort: once(() => courseOffline({ ...D, mqttVersion: '5', willDelayS: 5 })),
};

/** The WebSocket server's heartbeat settings in the scenario the widget runs. */
function wsScenarioOf(input: OfflineInput): { heartbeatS: number; pongTimeoutS: number } {
  const hub = (wsScenario(input).nodes as { id: string; ws?: { heartbeatS: number; pongTimeoutS: number } }[]).find((n) => n.id === 'hub');
  return hub!.ws!;
}

const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? 'never' : `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 })} s`);
const count = (n: number) => n.toLocaleString('en-US');

function thermoWill(r: OfflineResult) {
  const w = r.mqtt.wills.find((x) => x.device === 'thermo');
  if (w === undefined) throw new Error('the starting schedule published no will for the thermostat');
  return w;
}

function phoneBack(r: OfflineResult): number {
  const off = D.outages.find((o) => o.device === 'phone')!;
  return r.mqtt.online.find((o) => o.device === 'phone' && o.fromMs >= (off.atS + off.forS) * 1000)?.fromMs ?? Number.NaN;
}

export function offlineFigures() {
  const r = figureRuns.start();
  const w = thermoWill(r);
  const phone = r.mqtt.counts.phone;
  const tablet = r.mqtt.counts.tablet;
  const wsPhone = r.ws.counts.phone;
  const thermoPresence = r.presence.find((p) => p.device === 'thermo')!;
  const phonePresence = r.presence.find((p) => p.device === 'phone')!;
  const phoneOff = D.outages.find((o) => o.device === 'phone')!;
  const thermoOut = D.outages.find((o) => o.device === 'thermo')!;
  const tabletJoin = D.outages.find((o) => o.device === 'tablet')!;
  const lastHeardSecond = Math.floor(w.lastHeardMs / 1000);
  const clean = figureRuns.phoneClean().mqtt.counts.phone;
  const delayed = figureRuns.willDelay();
  const delayedShort = figureRuns.willDelayShort();
  const thermoBack = (res: OfflineResult) => res.mqtt.online.find((o) => o.device === 'thermo' && o.fromMs > thermoOut.atS * 1000)?.fromMs ?? null;
  return {
    keepaliveS: `${D.keepaliveS} s`,
    keepaliveBare: `${D.keepaliveS}`,
    oneAndHalfS: `${1.5 * D.keepaliveS} s`,
    // The WebSocket side's heartbeat (./offline-scenario.ts wsScenario): a ping every keepalive, a pong within half of it.
    pongTimeoutS: `${(wsScenarioOf(D).pongTimeoutS)} s`,
    mosquittoQueue: count(DEFAULT_BROKER_OPTIONS.maxQueuedMessages),
    maxQueued: count(D.maxQueued),
    phoneOffAtS: `${phoneOff.atS} s`,
    phoneOffForS: `${phoneOff.forS} s`,
    phoneBackS: secs(phoneBack(r)),
    phoneQueued: count(phone.queued),
    phoneQueueFull: count(phone.queueFull),
    phoneQos0NotQueued: count(phone.qos0NotQueued),
    phoneCleanQueued: count(clean.queued),
    phoneCleanMissed: count(clean.queueFull + clean.qos0NotQueued + clean.lost + clean.beforeJoin),
    phoneKeptMissed: count(phone.queueFull + phone.qos0NotQueued + phone.lost + phone.beforeJoin),
    thermoOutAtS: `${thermoOut.atS} s`,
    thermoOutForS: `${thermoOut.forS} s`,
    thermoHeld: count(r.mqtt.fates.filter((f) => f.publisher === 'thermo' && f.subscriber === 'phone' && f.outcome === 'held').length),
    lastHeardS: secs(w.lastHeardMs),
    lastHeardSecond: `${lastHeardSecond}`,
    dueSecond: `${lastHeardSecond + Math.floor((D.keepaliveS * 3) / 2)}`,
    willAtS: secs(w.atMs),
    willAfterS: secs(w.atMs - w.lastHeardMs),
    willAfterOutageS: secs(w.atMs - thermoOut.atS * 1000),
    thermoOffWills: count(figureRuns.thermoOff().mqtt.wills.length),
    phoneDisconnectKnownS: secs(phonePresence.mqttKnewMs),
    wsThermoNoticedS: secs(thermoPresence.wsNoticedMs),
    wsPhoneNoticedS: secs(phonePresence.wsNoticedMs),
    tabletJoinS: `${tabletJoin.forS} s`,
    tabletRetained: count(tablet.retained),
    tabletBeforeJoin: count(tablet.beforeJoin),
    wsTabletBeforeJoin: count(r.ws.counts.tablet.beforeJoin),
    wsTabletRetained: count(r.ws.counts.tablet.retained),
    wsPhoneReplayed: count(wsPhone.queued),
    wsPhoneBufferFull: count(wsPhone.queueFull),
    wsPhoneLost: count(wsPhone.lost),
    willDelay10: secs(delayed.mqtt.wills.find((x) => x.device === 'thermo')?.atMs),
    willDelay10Back: secs(thermoBack(delayed)),
    willDelay5: secs(delayedShort.mqtt.wills.find((x) => x.device === 'thermo')?.atMs),
  };
}
