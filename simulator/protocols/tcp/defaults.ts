/**
 * Linux defaults for the virtual TCP, each with where it comes from. Roles override per
 * connection what their real library changes (`ws` sets TCP_NODELAY, so `nagle: false`).
 */
import { ms, s } from '../../core/time.ts';
import type { TcpOptions } from './api.ts';
import { LocalProtocolError } from '../../core/errors.ts';
import { TLS13_RECORD_OVERHEAD } from './wire.ts';

export { TLS13_RECORD_OVERHEAD };

export function defaultTcpOptions(): Required<TcpOptions> {
  return {
    // 1500-byte Ethernet MTU - 20 IPv4 - 20 TCP - 12 timestamp option (RFC 7323 section 3;
    // Linux sends timestamps by default: net.ipv4.tcp_timestamps = 1).
    mss: 1448,
    // Nagle (RFC 896) is on unless the application sets TCP_NODELAY (tcp(7)).
    nagle: true,
    // Linux delays ACKs (tcp(7) TCP_QUICKACK); see delayedAckTimeout and quickAckSegments.
    delayedAck: true,
    // Timestamp option: 10 bytes + 2 NOP padding (RFC 7323 section 3.2), on every segment.
    tcpOptionBytes: 12,
    // SYN and SYN-ACK: MSS 4 + SACK-permitted 2 + timestamps 10 + NOP 1 + window scale 3 = 20
    // (RFC 9293 3.7.1, RFC 2018, RFC 7323); Linux's SYN is 60 bytes on the wire.
    synOptionBytes: 20,
    // No TLS unless a role asks for it; TLS13_RECORD_OVERHEAD (22) when it does.
    tlsRecordOverhead: 0,
    // net.ipv4.tcp_retries2 = 15 (Documentation/networking/ip-sysctl.rst).
    maxRetries: 15,
    // net.ipv4.tcp_syn_retries = 6 (ip-sysctl.rst): about 127 s before connect() fails.
    maxSynRetries: 6,
    // net.ipv4.tcp_synack_retries = 5 (ip-sysctl.rst).
    maxSynAckRetries: 5,
    // TCP_RTO_MIN = HZ/5 = 200 ms, TCP_TIMEOUT_INIT = 1 s, TCP_RTO_MAX = 120 s (include/net/tcp.h).
    // Linux floors the RTO's variance term at TCP_RTO_MIN, not the RTO itself (./rtt.ts).
    rtoMin: ms(200),
    rtoInitial: s(1),
    rtoMax: s(120),
    // RFC 6298 section 5.7 / Linux TCP_TIMEOUT_FALLBACK: 3 s when the handshake gave no RTT sample.
    rtoFallback: s(3),
    // RFC 6928: IW10 (Linux TCP_INIT_CWND = 10).
    initialCwnd: 10,
    // Linux autotunes the receive buffer up to net.ipv4.tcp_rmem max (6 MiB); about half of it
    // is advertised as window (tcp_adv_win_scale). We advertise a fixed 3 MiB: window scaling is
    // implied, and the application reads at once, so the window never closes.
    receiveWindow: 3 * 1024 * 1024,
    // TCP_DELACK_MIN = HZ/25 = 40 ms (include/net/tcp.h): the first delayed-ACK timeout.
    delayedAckTimeout: ms(40),
    // TCP_MAX_QUICKACKS = 16 (include/net/tcp.h): ACKs sent at once at the start of a connection.
    quickAckSegments: 16,
    // Linux TCP_TIMEWAIT_LEN is 60 s; we shorten TIME_WAIT to 2 s (2 x an MSL of 1 s) so runs
    // do not carry dead connections for a minute. It shows only under heavy loss: a FIN the peer
    // resends after it (our last ACK lost, its RTO backed off) meets a closed port and gets a RST
    // instead of an ACK. Measured: 7 of 100 20 kB transfers at 20 % loss each way ended in a RST
    // with 2 s, 1 of 100 with 60 s; 1 and 0 of 100 at 10 %; none at 5 %.
    timeWait: s(2),
    // Tail loss probe (RFC 8985 section 7; Linux net.ipv4.tcp_early_retrans = 3 enables it).
    tailLossProbe: true,
    // net.ipv4.tcp_timestamps = 1 and net.ipv4.tcp_sack = 1 (ip-sysctl.rst): both offered in the SYN.
    timestamps: true,
    sack: true,
    // net.ipv4.tcp_dsack = 1: data received twice is reported (RFC 2883), which lets the sender
    // undo a reduction a reordering caused.
    dsack: true,
    // close() as shutdown(SHUT_WR) (Node's socket.end()); roles written after C servers set true.
    fullClose: false,
    // net.ipv4.tcp_congestion_control: cubic is Linux's default (CONFIG_DEFAULT_TCP_CONG) and what
    // most distributions ship; some servers and this project's reference kernel run bbr.
    congestion: 'cubic',
  };
}

/** The options a connection runs with: `partial` over the defaults, checked. */
export function resolveTcpOptions(partial: Partial<TcpOptions>): Required<TcpOptions> {
  const o = { ...defaultTcpOptions(), ...stripUndefined(partial) };
  if (!(o.mss > 0) || !Number.isInteger(o.mss)) throw new LocalProtocolError('bad-option', `mss must be a positive integer, got ${o.mss}`);
  if (o.tlsRecordOverhead >= o.mss) throw new LocalProtocolError('bad-option', `tlsRecordOverhead (${o.tlsRecordOverhead}) must be below the mss (${o.mss})`);
  return o;
}

/** Resolved options by their given fields: connections asking the same share one frozen object. */
const shared = new Map<string, Readonly<Required<TcpOptions>>>();
const SHARED_MAX = 512;

/**
 * `resolveTcpOptions(partial)`, frozen and shared by every connection given the same fields (a
 * run opens thousands of connections with a handful of option sets: one object each, not one
 * per connection). Checked the same way.
 */
export function sharedTcpOptions(partial: Partial<TcpOptions>): Readonly<Required<TcpOptions>> {
  let key = '';
  for (const k of Object.keys(partial).sort()) {
    const v = (partial as Record<string, unknown>)[k];
    if (v !== undefined) key += `${k}=${String(v)};`;
  }
  let o = shared.get(key);
  if (o === undefined) {
    if (shared.size >= SHARED_MAX) shared.clear();
    o = Object.freeze(resolveTcpOptions(partial));
    shared.set(key, o);
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
