/**
 * The figures chapter 9's prose quotes (`<Measure of="constrained.<name>" />`), each from a run
 * named in ./constrainedRuns.ts: the widget shows the same numbers at the same settings.
 */
import { serializationDelay } from '../../../simulator/net/link.ts';
import { bytesText, msText } from './figures.ts';
import { LINK_PRESETS, linkPreset, type LinkPreset } from './constrainedLinks.ts';
import { CONSTRAINED_DEFAULTS, CONSTRAINED_RUNS, cost } from './constrainedRuns.ts';
import type { ConnectCost, ConstrainedResult, ProtocolCost } from './constrainedTypes.ts';

const bytes = (n: number) => bytesText(Math.round(n));
export const secondsText = (s: number) => `${s.toLocaleString('en-US', { maximumFractionDigits: s < 10 ? 2 : 1 })} s`;
export const hoursText = (h: number) => `${h.toLocaleString('en-US', { maximumFractionDigits: h < 1 ? 2 : 1 })} hours`;
const kb = (n: number) => `${(n / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} kB`;
const count = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const ms = (v: number | null) => (v === null ? 'nothing delivered' : msText(v));

export function connectOf(run: ConstrainedResult, protocol: ConnectCost['protocol'], tls: boolean): ConnectCost {
  const c = run.connect.find((x) => x.protocol === protocol && x.tls === tls);
  if (!c) throw new Error(`no ${protocol} connect cost (tls ${tls})`);
  return c;
}

/** "2.5 times": how many times a is b. */
const ratio = (a: number, b: number) => `${(a / b).toLocaleString('en-US', { maximumFractionDigits: 1 })} times`;

/** Each preset's rates and round trip as three short figures (a long one would not wrap on a phone). */
const cap = (id: string) => id[0]!.toUpperCase() + id.slice(1);
type PresetKey = `link${Capitalize<LinkPreset['id']>}${'Up' | 'Down' | 'Rtt'}`;
const presetFigures = () => {
  const k = (v: number) => `${v.toLocaleString('en-US', { maximumFractionDigits: 2 })} kbit/s`;
  return Object.fromEntries(
    LINK_PRESETS.flatMap((p) => [[`link${cap(p.id)}Up`, k(p.upKbps)], [`link${cap(p.id)}Down`, k(p.downKbps)], [`link${cap(p.id)}Rtt`, msText(2 * p.oneWayMs)]]),
  ) as Record<PresetKey, string>;
};

export function constrainedFigures() {
  const d = CONSTRAINED_RUNS.defaults();
  const longKa = CONSTRAINED_RUNS.longKeepalive();
  const hb = CONSTRAINED_RUNS.wsHeartbeat();
  const short = CONSTRAINED_RUNS.shortTail();
  const shortGeo = CONSTRAINED_RUNS.shortTailGeo();
  const tls = CONSTRAINED_RUNS.tls();
  const ltem = CONSTRAINED_RUNS.ltem();
  const geo = CONSTRAINED_RUNS.geo();
  const slow = CONSTRAINED_RUNS.csd96();
  const c = (run: ConstrainedResult, id: ProtocolCost['id']) => cost(run, id);
  const wsSlow = connectOf(slow, 'websocket', false);
  const mqttSlow = connectOf(slow, 'mqtt', false);
  const wsSlowTls = connectOf(slow, 'websocket', true);
  const mqttSlowTls = connectOf(slow, 'mqtt', true);
  return {
    // The defaults: NB-IoT, a 20-byte reading every 5 minutes, mqtt.js's 60 s keepalive.
    everyS: `${CONSTRAINED_DEFAULTS.everyS / 60} minutes`,
    payload: bytesText(CONSTRAINED_DEFAULTS.payloadBytes),
    rtt: msText(d.rttMs),
    ...presetFigures(),
    nbiotOneWay: msText(linkPreset('nbiot').oneWayMs),
    readingsPerDay: String(86_400 / CONSTRAINED_DEFAULTS.everyS),
    // The worked example: a 78-byte packet up and a 52-byte ACK down at NB-IoT's 20 kbit/s.
    wsUpAirtime: msText(serializationDelay(c(d, 'ws').upBytes, linkPreset('nbiot').upKbps * 1000) / 1000),
    wsDownAirtime: msText(serializationDelay(c(d, 'ws').downBytes, linkPreset('nbiot').downKbps * 1000) / 1000),
    wsUpBytes: bytes(c(d, 'ws').upBytes),
    wsDownBytes: bytes(c(d, 'ws').downBytes),
    wsBytes: bytes(c(d, 'ws').bytesPerReading),
    qos0Bytes: bytes(c(d, 'qos0').bytesPerReading),
    qos1Bytes: bytes(c(d, 'qos1').bytesPerReading),
    qos2Bytes: bytes(c(d, 'qos2').bytesPerReading),
    qos0Pings: count(c(d, 'qos0').pings),
    qos0Wakeups: count(c(d, 'qos0').radio.wakeups),
    wsBytesPerDay: kb(c(d, 'ws').bytesPerDay),
    qos0BytesPerDay: kb(c(d, 'qos0').bytesPerDay),
    qos1BytesPerDay: kb(c(d, 'qos1').bytesPerDay),
    qos2BytesPerDay: kb(c(d, 'qos2').bytesPerDay),
    wsRadio: secondsText(c(d, 'ws').radio.onS),
    qos0Radio: secondsText(c(d, 'qos0').radio.onS),
    wsRadioDay: hoursText(c(d, 'ws').radioHoursPerDay),
    qos0RadioDay: hoursText(c(d, 'qos0').radioHoursPerDay),
    qos1RadioDay: hoursText(c(d, 'qos1').radioHoursPerDay),
    qos2RadioDay: hoursText(c(d, 'qos2').radioHoursPerDay),
    wsAirtime: msText(c(d, 'ws').radio.airtimeS * 1000),
    wsWaiting: msText(c(d, 'ws').radio.waitingS * 1000),
    // The keepalive set to 10 minutes: the pings stop while readings flow.
    qos0BytesLongKa: bytes(c(longKa, 'qos0').bytesPerReading),
    qos1BytesLongKa: bytes(c(longKa, 'qos1').bytesPerReading),
    qos0RadioDayLongKa: hoursText(c(longKa, 'qos0').radioHoursPerDay),
    qos1RadioDayLongKa: hoursText(c(longKa, 'qos1').radioHoursPerDay),
    // WebSocket with a heartbeat every 60 s, as applications behind NATs need.
    wsBytesHeartbeat: bytes(c(hb, 'ws').bytesPerReading),
    wsRadioDayHeartbeat: hoursText(c(hb, 'ws').radioHoursPerDay),
    // A 2 s tail and no keepalive: radio-on is airtime, round trips and one short tail.
    shortTail: secondsText(short.input.tailS),
    wsRadioShort: secondsText(c(short, 'ws').radio.onS),
    qos0RadioShort: secondsText(c(short, 'qos0').radio.onS),
    qos1RadioShort: secondsText(c(short, 'qos1').radio.onS),
    qos2RadioShort: secondsText(c(short, 'qos2').radio.onS),
    qos2WaitingShort: secondsText(c(short, 'qos2').radio.waitingS),
    qos0WaitingShort: secondsText(c(short, 'qos0').radio.waitingS),
    qos2RadioShortGeo: secondsText(c(shortGeo, 'qos2').radio.onS),
    qos0RadioShortGeo: secondsText(c(shortGeo, 'qos0').radio.onS),
    // TLS 1.3 records on a live connection: 22 bytes per write.
    wsBytesTls: bytes(c(tls, 'ws').bytesPerReading),
    qos1BytesTls: bytes(c(tls, 'qos1').bytesPerReading),
    // Latency to the application: the broker's extra hop.
    backendHop: msText(d.backendHopMs),
    wsLatency: ms(c(d, 'ws').latencyMs),
    qos0Latency: ms(c(d, 'qos0').latencyMs),
    qos1Latency: ms(c(d, 'qos1').latencyMs),
    qos2Latency: ms(c(d, 'qos2').latencyMs),
    wsLatencyLtem: ms(c(ltem, 'ws').latencyMs),
    qos0LatencyLtem: ms(c(ltem, 'qos0').latencyMs),
    qos2LatencyGeo: ms(c(geo, 'qos2').latencyMs),
    qos0LatencyGeo: ms(c(geo, 'qos0').latencyMs),
    // Opening a connection on 9.6 kbit/s, 50 ms each way.
    wsConnectBytes: bytesText(wsSlow.bytesBefore),
    mqttConnectBytes: bytesText(mqttSlow.bytesBefore),
    wsConnectMs: msText(wsSlow.firstArrivedMs),
    mqttConnectMs: msText(mqttSlow.firstArrivedMs),
    connectRoundTripsMs: msText(wsSlow.roundTripsOnlyMs),
    wsConnectTlsBytes: bytesText(wsSlowTls.bytesBefore),
    mqttConnectTlsBytes: bytesText(mqttSlowTls.bytesBefore),
    wsConnectTlsMs: msText(wsSlowTls.firstArrivedMs),
    mqttConnectTlsMs: msText(mqttSlowTls.firstArrivedMs),
    wsConnectTlsResent: bytesText(wsSlowTls.resentBytes),
    mqttConnectTlsResent: bytesText(mqttSlowTls.resentBytes),
    wsConnectTlsRoundTripsMs: msText(wsSlowTls.roundTripsOnlyMs),
    mqttConnectTlsRoundTripsMs: msText(mqttSlowTls.roundTripsOnlyMs),
    // A reconnect per reading against the connection kept open (TLS, defaults' link).
    mqttReconnectTlsBytes: bytesText(connectOf(tls, 'mqtt', true).bytesBefore),
    mqttReconnectVsKept: ratio(connectOf(tls, 'mqtt', true).bytesBefore, cost(CONSTRAINED_RUNS.tls(), 'qos1').bytesPerReading),
    // The cost claim: WebSocket with a heartbeat against MQTT QoS 1 with mqtt.js's keepalive, per day.
    wsVsQos1PerDay: ratio(c(hb, 'ws').bytesPerDay, c(d, 'qos1').bytesPerDay),
  };
}
