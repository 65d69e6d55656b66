/**
 * Drives an MqttBroker by hand in tests: clients are connection ids, packets are encoded with the
 * codec, and what the broker sends back is decoded per connection (with the bytes kept).
 */
import { MqttBroker, type BrokerEvent, type BrokerOptions } from '../../../simulator/protocols/mqtt/broker.ts';
import { encodePacket, PacketParser, type MqttPacket, type MqttVersion } from '../../../simulator/protocols/mqtt/codec.ts';

export interface Received {
  packets: MqttPacket[];
  /** Hex of each packet's bytes, in order. */
  hex: string[];
  closed: boolean;
}

export const text = (s: string) => new TextEncoder().encode(s);
export const str = (b: Uint8Array) => new TextDecoder().decode(b);
export const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class Harness {
  readonly broker: MqttBroker;
  now = 0;
  readonly events: BrokerEvent[] = [];
  #versions = new Map<string, MqttVersion>();
  #parsers = new Map<string, PacketParser>();
  #inbox = new Map<string, Received>();

  constructor(options: Partial<BrokerOptions> = {}) {
    this.broker = new MqttBroker(options);
  }

  open(conn: string, version: MqttVersion = 4): void {
    this.broker.openConnection(conn, this.now);
    this.#versions.set(conn, version);
    this.#parsers.set(conn, new PacketParser(version));
    this.#inbox.set(conn, { packets: [], hex: [], closed: false });
  }

  /** Opens `conn` and sends CONNECT; returns the CONNACK-time output. */
  connect(conn: string, connect: Partial<Extract<MqttPacket, { cmd: 'connect' }>> & { clientId: string }, version: MqttVersion = 4): Received {
    this.open(conn, version);
    this.send(conn, { cmd: 'connect', protocolVersion: version, clean: true, keepalive: 0, ...connect });
    return this.take(conn);
  }

  send(conn: string, packet: MqttPacket): void {
    this.raw(conn, encodePacket(packet, this.#versions.get(conn)!));
  }

  raw(conn: string, bytes: Uint8Array): void {
    this.broker.receiveData(conn, bytes, this.now);
    this.#drain();
  }

  lose(conn: string): void {
    this.broker.connectionLost(conn, this.now);
    this.#drain();
  }

  advance(to: number): void {
    this.now = to;
    const t = this.broker.nextTimer();
    if (t !== undefined && t <= to) {
      this.broker.handleTimer(to);
      this.#drain();
    }
  }

  /** What `conn` received since the last take. */
  take(conn: string): Received {
    const r = this.#inbox.get(conn)!;
    this.#inbox.set(conn, { packets: [], hex: [], closed: r.closed });
    return r;
  }

  /** Events of one name since the harness started. */
  notes(event: string): BrokerEvent[] {
    return this.events.filter((e) => e.type === 'broker' && e.event === event);
  }

  #drain(): void {
    for (let out = this.broker.nextOutput(); out !== undefined; out = this.broker.nextOutput()) {
      const box = this.#inbox.get(out.connId)!;
      if ('close' in out) {
        box.closed = true;
        continue;
      }
      // Decode per packet to keep each packet's hex.
      const packets = this.#parsers.get(out.connId)!.push(out.bytes);
      box.packets.push(...packets);
      box.hex.push(toHex(out.bytes));
    }
    for (let ev = this.broker.nextEvent(); ev !== undefined; ev = this.broker.nextEvent()) this.events.push(ev);
  }
}

/** Bytes from an annotated hex fixture: `|` and spaces separate fields, `(...)` are comments. */
export function annotatedHex(s: string): Uint8Array {
  const clean = s.replace(/\([^)]*\)/g, '').replace(/[|\s]/g, '');
  return Uint8Array.from({ length: clean.length / 2 }, (_, i) => parseInt(clean.slice(i * 2, i * 2 + 2), 16));
}
