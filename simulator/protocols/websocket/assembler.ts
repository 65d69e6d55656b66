/**
 * Turns parsed frames into messages (RFC 6455 section 5.4 fragmentation, 8.1 UTF-8, RFC 7692
 * decompression) and checks the rules that span frames: a continuation needs a message in
 * progress, a new data frame needs none, a whole message stays under the size limit. Control
 * frames may arrive between fragments (section 5.4) and are handed back as they are.
 */
import { remoteError, isValidWireCloseCode } from './errors.ts';
import { isControlOpcode, Opcode, opcodeName } from './frame.ts';
import type { ParsedFrame } from './parser.ts';
import type { PerMessageDeflate } from './deflate.ts';
import { decodeUtf8 } from './utf8.ts';

export interface DataMessage {
  kind: 'message';
  binary: boolean;
  data: Uint8Array;
  /** The text, for text messages. */
  text?: string;
  /** Frames the message came in, and their bytes on the wire (headers included). */
  frames: number;
  wireBytes: number;
  /** True when the message came compressed (RSV1, RFC 7692). */
  compressed: boolean;
}

export interface ControlMessage {
  kind: 'ping' | 'pong';
  data: Uint8Array;
}

export interface CloseMessage {
  kind: 'close';
  /** 1005 when the frame carried no status code (section 7.1.5). */
  code: number;
  reason: string;
}

export type AssembledMessage = DataMessage | ControlMessage | CloseMessage;

/** Section 5.5.1: an empty body, or a 2-byte valid code plus a UTF-8 reason. */
export function parseClosePayload(payload: Uint8Array): CloseMessage {
  if (payload.length === 0) return { kind: 'close', code: 1005, reason: '' };
  if (payload.length === 1) throw remoteError('INVALID_CLOSE_PAYLOAD', 'a close frame body of 1 byte cannot hold a status code');
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidWireCloseCode(code)) throw remoteError('INVALID_CLOSE_CODE', `close code ${code} may not be sent on the wire`);
  const reason = decodeUtf8(payload.subarray(2));
  if (reason === undefined) throw remoteError('INVALID_UTF8', 'the close reason is not valid UTF-8');
  return { kind: 'close', code, reason };
}

export class MessageAssembler {
  #opcode: number | undefined;
  #compressed = false;
  #parts: Uint8Array[] = [];
  #length = 0;
  #frames = 0;
  #wireBytes = 0;

  constructor(
    readonly maxPayload: number,
    public deflate: PerMessageDeflate | undefined = undefined,
  ) {}

  /** True while a fragmented message is incomplete. */
  get inProgress(): boolean {
    return this.#opcode !== undefined;
  }

  /** A complete message, a control message, or undefined for a non-final fragment. Throws on a violation. */
  add(frame: ParsedFrame): AssembledMessage | undefined {
    const op = frame.opcode;
    if (isControlOpcode(op)) {
      if (op === Opcode.close) return parseClosePayload(frame.payload);
      return { kind: op === Opcode.ping ? 'ping' : 'pong', data: frame.payload };
    }
    if (op === Opcode.continuation) {
      if (this.#opcode === undefined)
        throw remoteError('UNEXPECTED_CONTINUATION', 'a continuation frame arrived with no fragmented message in progress');
    } else {
      if (this.#opcode !== undefined)
        throw remoteError(
          'EXPECTED_CONTINUATION',
          `a ${opcodeName(op)} frame arrived while a fragmented ${opcodeName(this.#opcode)} message was in progress`,
        );
      this.#opcode = op;
      this.#compressed = frame.rsv1;
    }
    this.#length += frame.payload.length;
    this.#frames++;
    this.#wireBytes += frame.frameBytes;
    if (this.#length > this.maxPayload)
      throw remoteError('MESSAGE_TOO_BIG', `a message of ${this.#length} bytes or more is over the limit of ${this.maxPayload}`);
    this.#parts.push(frame.payload);
    if (!frame.fin) return undefined;
    return this.#finish();
  }

  #finish(): DataMessage {
    let data: Uint8Array;
    if (this.#parts.length === 1) data = this.#parts[0]!;
    else {
      data = new Uint8Array(this.#length);
      let at = 0;
      for (const p of this.#parts) {
        data.set(p, at);
        at += p.length;
      }
    }
    const binary = this.#opcode === Opcode.binary;
    const compressed = this.#compressed;
    const message: DataMessage = { kind: 'message', binary, data, frames: this.#frames, wireBytes: this.#wireBytes, compressed };
    this.#opcode = undefined;
    this.#parts = [];
    this.#length = 0;
    this.#frames = 0;
    this.#wireBytes = 0;
    this.#compressed = false;
    if (compressed) {
      if (!this.deflate) throw remoteError('UNEXPECTED_RSV', 'RSV1 is set but permessage-deflate was not negotiated');
      message.data = this.deflate.decompress(data, this.maxPayload);
    }
    if (!binary) {
      const text = decodeUtf8(message.data);
      if (text === undefined) throw remoteError('INVALID_UTF8', 'a text message is not valid UTF-8');
      message.text = text;
    }
    return message;
  }
}
