/**
 * A two-node experiment for chapter 2: a client and a server on the simulator's star network,
 * each with the runtime's TCP host, exchanging a scripted list of writes (a TLS flight, an HTTP
 * upgrade, a CONNECT...). Every segment is the TCP engine's, every delay the link model's; this
 * file only scripts who writes what after receiving how much, and records when each segment left
 * and arrived.
 */
import { Rng } from '../../../simulator/core/rng.ts';
import { Scheduler } from '../../../simulator/core/scheduler.ts';
import { ms, toMs, type Micros } from '../../../simulator/core/time.ts';
import { TraceBuffer } from '../../../simulator/core/trace.ts';
import { mergeLinkConfig } from '../../../simulator/net/config.ts';
import type { Packet } from '../../../simulator/net/link.ts';
import { StarNetwork } from '../../../simulator/net/network.ts';
import type { TcpOptions, TcpSegment } from '../../../simulator/protocols/tcp/api.ts';
import { Host } from '../../../simulator/runtime/host.ts';
import type { RuntimeConnection } from '../../../simulator/runtime/connection.ts';
import type { SequenceLayer } from '../../charts/sequence.ts';
import type { AnnotatedBytes, BytesBreakdown, HandshakeMessage } from './types.ts';

/** What a byte before the first message is counted as (the handshake widget's breakdown). */
export type ByteAccount = 'tls' | 'handshake' | 'message';

export interface ScriptedWrite {
  by: 'client' | 'server';
  /** Written once this side has received at least this many bytes in total (0: on connect). */
  afterBytes: number;
  /**
   * Handed to TCP in the same write call as this side's previous scripted write (its `afterBytes`
   * is ignored): Node's TLS socket sends the client's Finished and a queued CONNECT together.
   */
  join?: boolean;
  /**
   * What the write's bytes are, in order, for the breakdown of the bytes before the first message
   * (default: all of them `account`, or 'handshake'). A TLS record around a CONNECT is
   * `[{tls, 5}, {handshake, CONNECT}, {tls, 17}]`.
   */
  parts?: { account: ByteAccount; bytes: number }[];
  label: string;
  layer: SequenceLayer;
  /** Bytes handed to TCP. */
  bytes: Uint8Array;
  inspect?: AnnotatedBytes;
  sizeNote?: string;
  /** The client's first application message: the moment it is written is what the chapter measures. */
  first?: boolean;
}

export interface ExchangeOptions {
  /** One-way latency client -> server (and back), ms: the client's access link has it, the server's none. */
  latencyMs: number;
  clientTcp?: Partial<TcpOptions>;
  serverTcp?: Partial<TcpOptions>;
  seed?: number;
  port?: number;
  /** Rate of the client's access link in both directions, kbit/s (0 or absent: no limit). */
  bandwidthKbps?: number;
}


export interface ExchangeResult {
  messages: HandshakeMessage[];
  /**
   * When the first segment carrying the first message left the client (µs): the moment TCP let
   * it go, which is later than the write when Nagle holds it. Undefined if it never left.
   */
  firstSendUs: Micros | undefined;
  /** When the application wrote the first message (µs). */
  firstWriteUs: Micros | undefined;
  /** Wire bytes of every segment that left before the first message, both directions. */
  bytesBefore: number;
  breakdown: BytesBreakdown;
  /** When the last byte of the first message reached the server (µs). */
  firstArrivedUs: Micros | undefined;
}

interface Sent {
  node: 'client' | 'server';
  segment: TcpSegment;
  sentUs: Micros;
  arrivedUs?: Micros;
}

interface WriteSpan {
  write: ScriptedWrite;
  start: number;
  end: number;
}

/** Bytes of `span` inside [from, to), by account. */
function accountBytes(span: WriteSpan, from: number, to: number, into: Record<ByteAccount, number>): void {
  const parts = span.write.parts ?? [{ account: span.write.layer === 'tls' ? 'tls' : span.write.first ? 'message' : 'handshake', bytes: span.end - span.start }];
  let at = span.start;
  for (const part of parts) {
    const lo = Math.max(at, from);
    const hi = Math.min(at + part.bytes, to);
    if (hi > lo) into[part.account] += hi - lo;
    at += part.bytes;
  }
}

/** Runs the script and returns one sequence-diagram message per TCP segment. */
export function runExchange(script: ScriptedWrite[], options: ExchangeOptions): ExchangeResult {
  const seed = options.seed ?? 1;
  const port = options.port ?? 443;
  const scheduler = new Scheduler({ eventBudget: 200_000 });
  const trace = new TraceBuffer();
  const root = Rng.stream(seed, 'course:exchange');
  const network = new StarNetwork({ scheduler, trace, rng: root });
  const sends: Sent[] = [];
  const bySegment = new Map<TcpSegment, Sent>();
  const recording = {
    send(packet: Packet) {
      const entry: Sent = { node: packet.src === 'client' ? 'client' : 'server', segment: packet.payload as TcpSegment, sentUs: scheduler.now };
      sends.push(entry);
      bySegment.set(entry.segment, entry);
      network.send(packet);
    },
  } as unknown as StarNetwork;

  const bandwidth = options.bandwidthKbps !== undefined && options.bandwidthKbps > 0 ? { bandwidthKbps: options.bandwidthKbps } : {};
  const latency = mergeLinkConfig({ latencyMs: options.latencyMs, ...bandwidth });
  const none = mergeLinkConfig({ latencyMs: 0 });
  const attach = (node: 'client' | 'server', link: typeof latency) => {
    const a = network.attach(node, link, link);
    const host = new Host(node, { scheduler, trace, network: recording, issRng: root.fork(`node:${node}:tcp-iss`) });
    a.receive = (packet) => {
      const entry = bySegment.get(packet.payload as TcpSegment);
      if (entry) entry.arrivedUs = scheduler.now;
      host.receive(packet);
    };
    return host;
  };
  const clientHost = attach('client', latency);
  const serverHost = attach('server', none);

  // Each side's stream: which write occupies which byte range, to name the segments.
  const spans: Record<'client' | 'server', WriteSpan[]> = { client: [], server: [] };
  const written: Record<'client' | 'server', number> = { client: 0, server: 0 };
  let firstWriteUs: Micros | undefined;

  const drive = (side: 'client' | 'server', conn: RuntimeConnection) => {
    const queue = script.filter((w) => w.by === side);
    let received = 0;
    let next = 0;
    const pump = () => {
      while (next < queue.length && received >= queue[next]!.afterBytes) {
        // One write call: this write and the ones joined to it.
        const group = [queue[next++]!];
        while (next < queue.length && queue[next]!.join) group.push(queue[next++]!);
        for (const w of group) {
          spans[side].push({ write: w, start: written[side], end: written[side] + w.bytes.length });
          written[side] += w.bytes.length;
          if (w.first && firstWriteUs === undefined) firstWriteUs = scheduler.now;
        }
        conn.write(group.length === 1 ? group[0]!.bytes : concat(group.map((w) => w.bytes)));
      }
    };
    conn.onData((data) => {
      received += data.length;
      pump();
    });
    return pump;
  };

  serverHost.listen(port, (conn) => {
    drive('server', conn)();
  }, options.serverTcp);
  scheduler.at(0, () => {
    const conn = clientHost.connect('server', port, options.clientTcp);
    const pump = drive('client', conn);
    conn.onConnect(pump);
  });

  // Long enough for any handshake at this latency and rate, even with an RTO or a delayed ACK in it:
  // every scripted byte (and its headers) sent over the slow link a few times over.
  const scriptBytes = script.reduce((n, w) => n + w.bytes.length + 100, 0);
  const wireMs = bandwidth.bandwidthKbps ? (scriptBytes * 8) / bandwidth.bandwidthKbps : 0;
  scheduler.run(ms(40 * Math.max(1, options.latencyMs) + 3_000 + 4 * wireMs));

  const iss: Record<'client' | 'server', number | undefined> = { client: undefined, server: undefined };
  for (const s of sends) if (s.segment.flags.syn && iss[s.node] === undefined) iss[s.node] = s.segment.seq;

  const covering = sends.map((s) => {
    const offset = iss[s.node] === undefined ? 0 : (s.segment.seq - iss[s.node]! - 1) >>> 0;
    const len = s.segment.payload.length;
    return { offset, covered: len > 0 ? spans[s.node].filter((sp) => sp.start < offset + len && sp.end > offset) : [] };
  });
  // Show everything up to the arrival of the segment that carries the end of the first message.
  const firstIndex = covering.findIndex((c) => c.covered.some((sp) => sp.write.first));
  const lastUs = firstIndex < 0 ? Infinity : lastArrival(sends, covering, firstIndex);
  const firstSendUs = firstIndex < 0 ? undefined : sends[firstIndex]!.sentUs;
  const messages: HandshakeMessage[] = [];
  let bytesBefore = 0;
  const breakdown: BytesBreakdown = { segments: 0, controlSegments: 0, headerBytes: 0, tlsBytes: 0, handshakeBytes: 0 };
  const accounts: Record<ByteAccount, number> = { tls: 0, handshake: 0, message: 0 };
  sends.forEach((s, i) => {
    if (s.sentUs > lastUs) return;
    const { offset, covered } = covering[i]!;
    if (firstSendUs !== undefined && s.sentUs < firstSendUs) {
      const payload = s.segment.payload.length;
      bytesBefore += s.segment.wireBytes;
      breakdown.segments++;
      if (payload === 0) breakdown.controlSegments++;
      breakdown.headerBytes += s.segment.wireBytes - payload;
      for (const span of covered) accountBytes(span, offset, offset + payload, accounts);
    }
    const flags = flagNames(s.segment);
    const main = covered[0]?.write;
    const label = covered.length === 0
      ? flags
      : covered.map((sp) => (sp.start < offset || sp.end > offset + s.segment.payload.length ? `${sp.write.label} (part)` : sp.write.label)).join(' + ');
    const message: HandshakeMessage = {
      id: `${s.node}-${i}`,
      from: s.node,
      to: s.node === 'client' ? 'server' : 'client',
      sentMs: toMs(s.sentUs),
      arrivedMs: toMs(s.arrivedUs ?? s.sentUs),
      label: s.segment.retransmission ? `${label} (retransmission)` : label,
      bytes: s.segment.wireBytes,
      layer: main?.layer ?? 'tcp',
    };
    if (main?.inspect && covered.length === 1) message.inspect = main.inspect;
    const headerBytes = s.segment.wireBytes - s.segment.payload.length;
    const what = covered.length === 0 ? `${flags} segment, no payload` : `${flags} segment carrying ${s.segment.payload.length} bytes of ${covered.map((c) => c.write.label).join(' and ')}`;
    message.sizeNote = `${what}. ${headerBytes} bytes of IPv4 and TCP headers (TCP options included)${main?.sizeNote ? `. ${main.sizeNote}` : ''}.`;
    messages.push(message);
  });
  breakdown.tlsBytes = accounts.tls;
  breakdown.handshakeBytes = accounts.handshake;
  const firstArrivedUs = firstIndex < 0 ? undefined : lastUs;
  return { messages, firstSendUs, firstWriteUs, bytesBefore, breakdown, firstArrivedUs };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Arrival of the last segment that carries bytes of the first message (it may span segments). */
function lastArrival(sends: Sent[], covering: { offset: number; covered: WriteSpan[] }[], from: number): Micros {
  let last = 0;
  for (let i = from; i < sends.length; i++) {
    if (covering[i]!.covered.some((sp) => sp.write.first)) last = Math.max(last, sends[i]!.arrivedUs ?? sends[i]!.sentUs);
  }
  return last;
}

/** tcpdump-like flags: "SYN", "SYN-ACK", "ACK", "FIN-ACK". */
function flagNames(segment: TcpSegment): string {
  const f = segment.flags;
  const names = [f.syn && 'SYN', f.fin && 'FIN', f.rst && 'RST', f.ack && 'ACK'].filter(Boolean);
  return names.join('-') || 'segment';
}
