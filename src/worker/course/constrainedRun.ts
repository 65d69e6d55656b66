/**
 * Chapter 9's experiment, run and read (./constrainedScenario.ts): for each device, what its
 * readings cost on its own access link in the measured window, per reading: IP packets and bytes
 * each way (IPv4 + TCP + options, TLS record bytes when on, and the payload; the link layer is not
 * counted), the pure ACKs and keepalive packets among them, the latency to the application, and
 * the radio-on time of ./constrainedRadio.ts. Then the cost of opening a connection on the same
 * link, from chapter 2's handshake experiment (./handshake.ts), TLS 1.3 flights included.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { latencySummary } from '../../../simulator/metrics/percentile.ts';
import { parseConnId } from '../../../simulator/metrics/conn.ts';
import { serializationDelay } from '../../../simulator/net/link.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import { defaultTcpOptions } from '../../../simulator/protocols/tcp/defaults.ts';
import { segmentWireBytes } from '../../../simulator/protocols/tcp/wire.ts';
import { APP_VERSION } from '../../lib/version.ts';
import { DEFAULT_TRACE_LIMIT } from '../api.ts';
import { makeSnapshot } from '../snapshot.ts';
import { linkPreset, type LinkPreset } from './constrainedLinks.ts';
import { perReading, radioOn, type Busy } from './constrainedRadio.ts';
import { BACKEND_MS, DEVICES, parsedScenario, READINGS, windowUs, type Device } from './constrainedScenario.ts';
import type { ConnectCost, ConstrainedInput, ConstrainedResult, ProtocolCost } from './constrainedTypes.ts';
import { courseHandshake } from './handshake.ts';

export const DAY_S = 86_400;

/** A device's packets in the window, and its readings' latencies. */
function readDevice(trace: readonly TraceRecord[], device: Device, preset: LinkPreset, win: { from: number; to: number }, tailUs: number) {
  const up = `${device.node}->core`;
  const down = `core->${device.node}`;
  const upLatencyUs = preset.oneWayMs * 1000;
  const busy: Busy[] = [];
  let upPackets = 0, upBytes = 0, downPackets = 0, downBytes = 0, pings = 0;
  // Pure ACKs: segments with no payload (and no SYN/FIN) sent by the device or to it.
  let pureAcks = 0;
  let flow: string | undefined;
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const delivered = new Set<number>();
  for (const r of trace) {
    if (r.kind === 'flow' && r.from === device.node && r.to === device.receiver) flow = r.flow;
    else if (r.kind === 'app-send' && r.flow === flow && r.t >= win.from && r.t < win.to) sentAt.set(r.msg, r.t);
    else if (r.kind === 'app-deliver' && r.flow === flow && !delivered.has(r.msg)) {
      const t0 = sentAt.get(r.msg);
      if (t0 === undefined) continue;
      delivered.add(r.msg);
      latencies.push((r.t - t0) / 1000);
    }
    if (r.t < win.from) continue;
    if (r.kind === 'link-receive' && (r.link === up || r.link === down)) {
      const isUp = r.link === up;
      // The bits left the radio (uplink) or reached it (downlink) at the link's rate.
      const ser = serializationDelay(r.bytes, (isUp ? preset.upKbps : preset.downKbps) * 1000);
      const end = isUp ? r.t - upLatencyUs : r.t;
      if (end - ser >= win.to) continue;
      busy.push({ from: end - ser, to: end });
      if (isUp) { upPackets++; upBytes += r.bytes; } else { downPackets++; downBytes += r.bytes; }
    } else if (r.t < win.to && r.kind === 'tcp-send' && r.payloadBytes === 0 && r.flags === 'ACK' && touches(r.conn, device.node)) {
      pureAcks++;
    } else if (r.t < win.to && r.kind === 'mqtt-packet' && r.node === device.node && /^ping(req|resp)$/i.test(r.type)) {
      pings++;
    }
  }
  return { busy, upPackets, upBytes, downPackets, downBytes, pureAcks, pings, sent: sentAt.size, latencies };
}

function touches(conn: string, node: string): boolean {
  const ends = parseConnId(conn);
  return ends !== undefined && (ends.client === node || ends.server === node);
}

/** Opening a connection on this link: chapter 2's exchange at the link's delay and uplink rate. */
export function connectCosts(preset: LinkPreset, tailS: number): ConnectCost[] {
  const out: ConnectCost[] = [];
  for (const tls of [false, true]) {
    const slow = courseHandshake({ latencyMs: preset.oneWayMs, tls, mqttVersion: '3.1.1', bandwidthKbps: preset.upKbps });
    const fast = courseHandshake({ latencyMs: preset.oneWayMs, tls, mqttVersion: '3.1.1', bandwidthKbps: 0 });
    for (const protocol of ['websocket', 'mqtt'] as const) {
      const s = slow[protocol];
      out.push({
        protocol,
        tls,
        bytesBefore: s.bytesBefore,
        resentBytes: s.messages.filter((m) => m.label.endsWith('(retransmission)') && m.sentMs < s.firstSendMs).reduce((n, m) => n + m.bytes, 0),
        firstArrivedMs: s.firstArrivedMs,
        roundTripsOnlyMs: fast[protocol].firstArrivedMs,
        radioOnS: s.firstArrivedMs / 1000 + tailS,
      });
    }
  }
  return out;
}

export function courseConstrained(input: ConstrainedInput): ConstrainedResult {
  const preset = linkPreset(input.link);
  const scenario = parsedScenario(input);
  const run = runScenario(scenario, watched({ seed: input.seed }));
  const win = windowUs(input);
  const tailUs = input.tailS * 1e6;
  const perDay = DAY_S / input.everyS;
  const protocols: ProtocolCost[] = DEVICES.map((device) => {
    const d = readDevice(run.trace, device, preset, win, tailUs);
    const n = READINGS;
    const radio = perReading(radioOn(d.busy, tailUs), n);
    const bytesPerReading = (d.upBytes + d.downBytes) / n;
    const sorted = [...d.latencies].sort((a, b) => a - b);
    return {
      id: device.id,
      label: device.label,
      sent: d.sent,
      delivered: sorted.length,
      upPackets: d.upPackets / n,
      upBytes: d.upBytes / n,
      downPackets: d.downPackets / n,
      downBytes: d.downBytes / n,
      pureAcks: d.pureAcks / n,
      pings: d.pings / n,
      bytesPerReading,
      bytesPerDay: Math.round(bytesPerReading * perDay),
      latencyMs: latencySummary(sorted).p50,
      radio,
      radioHoursPerDay: (radio.onS * perDay) / 3600,
    };
  });
  const snapshot = makeSnapshot({
    runId: 0,
    scenario,
    seed: input.seed,
    appVersion: APP_VERSION,
    durationUs: run.endTime,
    trace: run.trace,
    traceLimit: DEFAULT_TRACE_LIMIT,
  });
  const emptyUp = serializationDelay(segmentWireBytes(0, defaultTcpOptions().tcpOptionBytes), preset.upKbps * 1000);
  const emptyDown = serializationDelay(segmentWireBytes(0, defaultTcpOptions().tcpOptionBytes), preset.downKbps * 1000);
  return {
    input,
    preset,
    rttMs: 2 * preset.oneWayMs + (emptyUp + emptyDown) / 1000,
    readings: READINGS,
    windowS: READINGS * input.everyS,
    backendHopMs: 2 * BACKEND_MS,
    protocols,
    connect: connectCosts(preset, input.tailS),
    snapshot,
  };
}
