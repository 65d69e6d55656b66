/**
 * Incremental frame parser (RFC 6455 section 5.2). Feed it bytes in any chunking with `push`,
 * then call `next()` until it returns undefined: "need more bytes" is never an error. A violation
 * throws a RemoteProtocolError (stable code + close code); after that the parser stays failed
 * and rethrows the same error.
 *
 * Frame-level rules live here; message-level rules (continuation order, UTF-8, size of a whole
 * message, decompression) live in the message assembler of the connection.
 */
import type { RemoteProtocolError } from '../../core/errors.ts';
import { remoteError } from './errors.ts';
import { applyMask, isControlOpcode, MAX_CONTROL_PAYLOAD, opcodeName, type Frame } from './frame.ts';

export interface FrameParserOptions {
  /**
   * Which side sent the bytes: frames from a client must be masked, frames from a server must
   * not be (section 5.1). Undefined accepts both (the byte inspector).
   */
  from?: 'client' | 'server';
  /** RSV1 is allowed when permessage-deflate was negotiated (RFC 7692 section 6). */
  allowRsv1?: boolean;
  /** Largest payload of one frame, in bytes; larger fails with 1009 (ws's maxPayload: 100 MiB). */
  maxPayload?: number;
}

export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

type Stage = 'header' | 'length16' | 'length64' | 'mask' | 'payload';

/** A frame as parsed, with its size on the wire. */
export interface ParsedFrame extends Frame {
  /** Header + payload bytes as they were on the wire. */
  frameBytes: number;
}

export class FrameParser {
  readonly from: 'client' | 'server' | undefined;
  allowRsv1: boolean;
  readonly maxPayload: number;

  #chunks: Uint8Array[] = [];
  #chunkOffset = 0;
  #buffered = 0;
  #stage: Stage = 'header';
  #failed: RemoteProtocolError | undefined;

  #fin = false;
  #rsv1 = false;
  #rsv2 = false;
  #rsv3 = false;
  #opcode = 0;
  #masked = false;
  #length = 0;
  #headerBytes = 0;
  #maskKey: Uint8Array | undefined;
  #payload = new Uint8Array(0);
  #filled = 0;

  constructor(options: FrameParserOptions = {}) {
    this.from = options.from;
    this.allowRsv1 = options.allowRsv1 ?? false;
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  }

  /** Bytes received but not yet part of a returned frame. */
  get bufferedBytes(): number {
    if (this.#stage === 'header') return this.#buffered;
    return this.#buffered + this.#headerBytes + (this.#stage === 'payload' ? this.#filled : 0);
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#buffered += bytes.length;
  }

  /** The next complete frame, or undefined when more bytes are needed. Throws on a violation. */
  next(): ParsedFrame | undefined {
    if (this.#failed) throw this.#failed;
    try {
      return this.#step();
    } catch (error) {
      this.#failed = error as RemoteProtocolError;
      throw error;
    }
  }

  #step(): ParsedFrame | undefined {
    for (;;) {
      switch (this.#stage) {
        case 'header': {
          if (this.#buffered < 2) return undefined;
          const head = this.#take(2);
          this.#readHeader(head[0]!, head[1]!);
          break;
        }
        case 'length16': {
          if (this.#buffered < 2) return undefined;
          const b = this.#take(2);
          this.#setLength((b[0]! << 8) | b[1]!, 2);
          break;
        }
        case 'length64': {
          if (this.#buffered < 8) return undefined;
          const b = this.#take(8);
          const view = new DataView(b.buffer, b.byteOffset, 8);
          const high = view.getUint32(0);
          // Section 5.2: the most significant bit of the 64-bit length MUST be 0.
          if (high & 0x80000000)
            throw remoteError('INVALID_PAYLOAD_LENGTH', 'the most significant bit of a 64-bit payload length must be 0');
          if (high > 0x1fffff)
            throw remoteError('MESSAGE_TOO_BIG', `payload length ${high} * 2^32 bytes is larger than this engine supports`);
          this.#setLength(high * 2 ** 32 + view.getUint32(4), 8);
          break;
        }
        case 'mask': {
          if (this.#buffered < 4) return undefined;
          this.#maskKey = this.#take(4);
          this.#headerBytes += 4;
          this.#startPayload();
          break;
        }
        case 'payload': {
          const want = this.#length - this.#filled;
          if (want > 0) {
            const n = Math.min(want, this.#buffered);
            this.#takeInto(this.#payload, this.#filled, n);
            this.#filled += n;
            if (this.#filled < this.#length) return undefined;
          }
          return this.#finishFrame();
        }
      }
    }
  }

  #readHeader(b0: number, b1: number): void {
    this.#fin = (b0 & 0x80) !== 0;
    this.#rsv1 = (b0 & 0x40) !== 0;
    this.#rsv2 = (b0 & 0x20) !== 0;
    this.#rsv3 = (b0 & 0x10) !== 0;
    this.#opcode = b0 & 0x0f;
    this.#masked = (b1 & 0x80) !== 0;
    this.#headerBytes = 2;
    const name = opcodeName(this.#opcode);
    // Section 5.2: reserved opcodes fail the connection.
    if (name.startsWith('reserved')) throw remoteError('RESERVED_OPCODE', `opcode 0x${this.#opcode.toString(16)} is reserved`);
    // Section 5.2: RSV bits must be 0 unless an extension defines them; RFC 7692 section 6.1:
    // RSV1 only on the first frame of a data message, never on control frames or continuations.
    if (this.#rsv2 || this.#rsv3)
      throw remoteError('UNEXPECTED_RSV', `RSV${this.#rsv2 ? 2 : 3} is set but no extension defines it`);
    if (this.#rsv1 && (!this.allowRsv1 || this.#opcode === 0 || isControlOpcode(this.#opcode)))
      throw remoteError(
        'UNEXPECTED_RSV',
        this.allowRsv1 ? `RSV1 is set on a ${name} frame` : 'RSV1 is set but permessage-deflate was not negotiated',
      );
    if (isControlOpcode(this.#opcode)) {
      // Section 5.5: control frames are never fragmented and carry at most 125 bytes.
      if (!this.#fin) throw remoteError('FRAGMENTED_CONTROL_FRAME', `a ${name} frame must have FIN set`);
      if ((b1 & 0x7f) > MAX_CONTROL_PAYLOAD)
        throw remoteError('CONTROL_FRAME_TOO_LONG', `a ${name} frame carries at most 125 bytes, length field says more`);
    }
    // Section 5.1: a server fails the connection on an unmasked client frame; a client on a masked server frame.
    if (this.from === 'client' && !this.#masked)
      throw remoteError('UNMASKED_CLIENT_FRAME', `a ${name} frame from the client is not masked`);
    if (this.from === 'server' && this.#masked)
      throw remoteError('MASKED_SERVER_FRAME', `a ${name} frame from the server is masked`);
    const len7 = b1 & 0x7f;
    if (len7 === 126) this.#stage = 'length16';
    else if (len7 === 127) this.#stage = 'length64';
    else this.#setLength(len7, 0);
  }

  #setLength(length: number, extraHeader: number): void {
    this.#headerBytes += extraHeader;
    if (length > this.maxPayload)
      throw remoteError('MESSAGE_TOO_BIG', `a frame of ${length} bytes is over the limit of ${this.maxPayload}`);
    this.#length = length;
    if (this.#masked) this.#stage = 'mask';
    else {
      this.#maskKey = undefined;
      this.#startPayload();
    }
  }

  #startPayload(): void {
    this.#payload = new Uint8Array(this.#length);
    this.#filled = 0;
    this.#stage = 'payload';
  }

  #finishFrame(): ParsedFrame {
    const payload = this.#payload;
    if (this.#maskKey) applyMask(payload, this.#maskKey);
    const frame: ParsedFrame = {
      fin: this.#fin,
      rsv1: this.#rsv1,
      rsv2: this.#rsv2,
      rsv3: this.#rsv3,
      opcode: this.#opcode,
      payload,
      frameBytes: this.#headerBytes + this.#length,
    };
    if (this.#maskKey) frame.maskKey = this.#maskKey;
    this.#stage = 'header';
    this.#payload = new Uint8Array(0);
    this.#maskKey = undefined;
    return frame;
  }

  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.#takeInto(out, 0, n);
    return out;
  }

  /** Moves `n` buffered bytes (n <= buffered) into `target` at `at`. */
  #takeInto(target: Uint8Array, at: number, n: number): void {
    let done = 0;
    while (done < n) {
      const chunk = this.#chunks[0]!;
      const available = chunk.length - this.#chunkOffset;
      const count = Math.min(available, n - done);
      target.set(chunk.subarray(this.#chunkOffset, this.#chunkOffset + count), at + done);
      done += count;
      this.#chunkOffset += count;
      if (this.#chunkOffset === chunk.length) {
        this.#chunks.shift();
        this.#chunkOffset = 0;
      }
    }
    this.#buffered -= n;
  }
}
