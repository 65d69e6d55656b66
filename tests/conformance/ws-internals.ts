/**
 * `ws`'s own frame codec, which the package exports (ws/index.js: Receiver, Sender) but
 * @types/ws does not declare. Typed here with just what the conformance tests use.
 */
import * as ws from 'ws';

export interface WsReceiver {
  write(chunk: Buffer): boolean;
  on(event: 'message', listener: (data: Buffer, binary: boolean) => void): this;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  on(event: 'conclude', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (error: Error & { code: string }) => void): this;
}

export interface WsFrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
  generateMask?: (mask: Buffer) => void;
}

const internals = ws as unknown as {
  Receiver: new (options: { isServer: boolean; maxPayload?: number }) => WsReceiver;
  Sender: { frame(data: Buffer, options: WsFrameOptions): Buffer[] };
};

export const Receiver = internals.Receiver;
export const Sender = internals.Sender;
