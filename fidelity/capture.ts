/**
 * The forwarder's packet log (fwd --log): one line per packet offered to the link,
 * `t_us dir ipBytes tcpPayload flags sport dport [drop]`. Pure parsing and the views the probe
 * cases need: each TCP connection's data segments per direction, in order.
 */

export interface Packet {
  t: number;
  dir: 'ab' | 'ba';
  ipBytes: number;
  /** TCP payload bytes; -1 for a packet that is not TCP. */
  payload: number;
  flags: number;
  sport: number;
  dport: number;
  dropped: boolean;
}

export function parseCapture(text: string): Packet[] {
  const out: Packet[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    if (f.length < 7) continue;
    out.push({ t: Number(f[0]), dir: f[1] === 'ab' ? 'ab' : 'ba', ipBytes: Number(f[2]), payload: Number(f[3]), flags: Number(f[4]), sport: Number(f[5]), dport: Number(f[6]), dropped: f[7] === 'drop' });
  }
  return out;
}

const SYN = 0x02;
const ACK = 0x10;

/** The client ports (namespace a) of the connections to `serverPort`, in the order their SYNs left. */
export function clientPorts(packets: readonly Packet[], serverPort: number): number[] {
  const ports: number[] = [];
  for (const p of packets)
    if (p.dir === 'ab' && p.dport === serverPort && (p.flags & SYN) !== 0 && (p.flags & ACK) === 0 && !ports.includes(p.sport)) ports.push(p.sport);
  return ports;
}

/** TCP payload sizes of one connection's data segments in one direction, in order, delivered ones only. */
export function payloads(packets: readonly Packet[], clientPort: number, dir: 'ab' | 'ba'): Packet[] {
  return packets.filter((p) => p.dir === dir && !p.dropped && p.payload > 0 && (dir === 'ab' ? p.sport : p.dport) === clientPort);
}

/** When the first SYN of the last connection to `serverPort` entered the link (µs, CLOCK_MONOTONIC), if any. */
export function lastConnectAt(packets: readonly Packet[], serverPort: number): number | undefined {
  const port = clientPorts(packets, serverPort).at(-1);
  return packets.find((p) => p.dir === 'ab' && p.sport === port && p.dport === serverPort && (p.flags & SYN) !== 0)?.t;
}
