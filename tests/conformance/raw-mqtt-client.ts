/**
 * Raw MQTT clients on real sockets for the differential tests against mosquitto
 * (./mqtt-broker-mosquitto.test.ts, ./sys-mosquitto.test.ts): each records what it receives as hex,
 * and `settle()` waits, without a clock, until the broker has answered everything sent so far.
 */
import net from 'node:net';
import { encodePacket, type MqttPacket } from '../../simulator/protocols/mqtt/codec.ts';

/** The clients of the script that is running: `settle()` waits for each of them. */
export const clients = new Set<RawClient>();

/**
 * A raw client: writes encoded packets, records every packet it receives as hex. The PINGRESPs
 * that answer `settle()`'s own PINGREQs are not recorded; a script's own are.
 */
export class RawClient {
  readonly socket: net.Socket;
  received = '';
  /** Who sent each PINGREQ not answered yet, oldest first: the broker answers them in order. */
  #pings: ('script' | 'barrier')[] = [];
  #barriers: (() => void)[] = [];
  #pending = Buffer.alloc(0);
  #closed = false;
  #disconnected = false;
  constructor(port: number, readonly version: 4 | 5 = 4) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d) => this.#data(d));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.received += '|closed';
      this.#closed = true;
      for (const done of this.#barriers.splice(0)) done();
    });
    clients.add(this);
  }
  send(...packets: MqttPacket[]): void {
    for (const p of packets) {
      if (p.cmd === 'pingreq') this.#pings.push('script');
      if (p.cmd === 'disconnect') this.#disconnected = true;
      this.socket.write(encodePacket(p, this.version));
    }
  }
  take(): string {
    const r = this.received;
    this.received = '';
    return r;
  }
  /** Whether the broker may still have something to do or say here: neither side has closed. */
  get open(): boolean {
    return !this.#closed && !this.socket.destroyed;
  }
  /**
   * Sends a PINGREQ and resolves when its PINGRESP comes (after every answer to what was sent
   * before), or when the connection closes. After DISCONNECT only the close is awaited: the
   * broker closes the connection once it has handled everything before it.
   */
  barrier(): Promise<void> {
    return new Promise((resolve) => {
      this.#barriers.push(resolve);
      if (this.#disconnected) return;
      this.#pings.push('barrier');
      this.socket.write(encodePacket({ cmd: 'pingreq' }, this.version));
    });
  }
  /** Splits the stream into packets (fixed header: type byte, remaining length as a varint). */
  #data(chunk: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    for (;;) {
      let length = 0;
      let i = 1;
      for (let shift = 0; ; shift += 7, i++) {
        if (i >= this.#pending.length) return;
        length += (this.#pending[i]! & 0x7f) << shift;
        if ((this.#pending[i]! & 0x80) === 0) break;
      }
      const end = i + 1 + length;
      if (this.#pending.length < end) return;
      const packet = this.#pending.subarray(0, end);
      this.#pending = this.#pending.subarray(end);
      if (packet[0] === 0xd0 && this.#pings.shift() === 'barrier') this.#barriers.shift()!();
      else this.received += packet.toString('hex');
    }
  }
}

/**
 * Waits until the broker has handled everything the clients sent and written everything it owes
 * them, without a clock: every open client sends a PINGREQ and waits for its PINGRESP, which the
 * broker answers after that client's earlier packets; then once more, so that whatever the first
 * round made the broker send to another client (a forwarded PUBLISH, a will) is ahead of that
 * client's second PINGRESP. (A fixed 150 ms wait did this before and was too short under load.)
 */
export async function settle(): Promise<void> {
  for (let round = 0; round < 2; round++) {
    const open = [...clients].filter((c) => c.open);
    // Not a timing assumption: a guard that names the stuck barrier instead of the test's own timeout.
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`settle: no PINGRESP within 10 s (round ${round + 1}, ${open.length} clients)`)), 10_000);
    });
    try {
      await Promise.race([Promise.all(open.map((c) => c.barrier())), stuck]);
    } finally {
      clearTimeout(timer);
    }
  }
}
export const text = (s: string) => new TextEncoder().encode(s);
export const connect = (clientId: string, extra: Partial<Extract<MqttPacket, { cmd: 'connect' }>> = {}): MqttPacket =>
  ({ cmd: 'connect', clientId, clean: true, keepalive: 0, protocolVersion: 4, ...extra }) as MqttPacket;
