/**
 * mqtt-packet's generate() without what it allocates per packet (./codec.ts encodePacket uses it).
 * Allocation only: the same writeToStream writes the same pieces, joined into the same bytes,
 * and a field it refuses throws the same error.
 */
import { Buffer } from 'buffer';
import mqttPacket from 'mqtt-packet';
import type { MqttVersion } from './packets.ts';

/** What mqtt-packet's writeToStream writes into: one list, reused. */
const written: (Uint8Array | string | undefined)[] = [];
const accumulator = {
  write(chunk: Uint8Array | string): boolean {
    written.push(chunk);
    return true;
  },
  // mqtt-packet reports a field it refuses with destroy(error); its generate() throws it.
  destroy(error?: Error): void {
    if (error) throw error;
  },
};

/**
 * The bytes mqtt-packet's generate() makes for `p`, as a plain Uint8Array: generate() is
 * writeToStream into an accumulator (an EventEmitter and two arrays per packet) joined into a
 * Buffer; here the same writeToStream writes into one reused list, joined straight into the
 * Uint8Array returned (allocation only: the same bytes, the same errors). Like generate(), it
 * stops at the first undefined piece.
 */
export function generate(p: Record<string, unknown>, level: MqttVersion): Uint8Array {
  written.length = 0;
  try {
    mqttPacket.writeToStream(p as unknown as mqttPacket.Packet, accumulator as unknown as Parameters<typeof mqttPacket.writeToStream>[1], { protocolVersion: level });
    let length = 0;
    let n = 0;
    for (; n < written.length; n++) {
      const c = written[n];
      if (c === undefined) break;
      length += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
    }
    const out = new Uint8Array(length);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const c = written[i]!;
      if (typeof c === 'string') {
        pos += Buffer.from(out.buffer, out.byteOffset, out.length).write(c, pos);
      } else {
        out.set(c, pos);
        pos += c.length;
      }
    }
    return out;
  } finally {
    written.length = 0;
  }
}
