/**
 * What the WebSocket engine (./connection.ts) shows its caller: its states, its options and the
 * events it emits. Kept apart so the roles and the CLI can name them without the engine itself.
 */
import type { RandomBytes } from '../../core/rng.ts';
import type { Micros } from '../../core/time.ts';
import type { RemoteProtocolError } from '../../core/errors.ts';
import type { DataMessage } from './assembler.ts';
import type { DeflateOptions, DeflateParams } from './deflate.ts';

export type WsState = 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

export interface WsConnectionOptions {
  role: 'client' | 'server';
  /** Masking keys and Sec-WebSocket-Key come from here (section 5.3, 4.1). */
  random: RandomBytes;
  /** Client: the Host header and request path. */
  host?: string;
  path?: string;
  origin?: string;
  /** Client: subprotocols offered. Server: subprotocols spoken (the first one the client offered wins). */
  protocols?: string[];
  /** Client: more request header lines (each counts on the wire). */
  headers?: [string, string][];
  /** permessage-deflate: the client offers it, the server accepts it. Off by default. */
  deflate?: false | DeflateOptions;
  /** Largest message (and frame) accepted, bytes; ws's maxPayload default 100 MiB. */
  maxPayload?: number;
  /** Split outgoing data messages into frames of at most this many payload bytes (0: never). */
  fragmentBytes?: number;
  /** Send a ping every this many µs while open (0/undefined: no heartbeat). */
  heartbeatInterval?: Micros;
  /** Declare the peer dead when no pong came this long after a ping (default: the interval). */
  pongTimeout?: Micros;
  /** Give up on the closing handshake after this long (ws: 30 s). */
  closeTimeout?: Micros;
}

export interface FrameInfo {
  dir: 'send' | 'receive';
  opcode: string;
  fin: boolean;
  rsv1: boolean;
  masked: boolean;
  payloadBytes: number;
  frameBytes: number;
  closeCode?: number;
}

export type WsEvent =
  | { type: 'handshake'; dir: 'send' | 'receive'; what: 'request' | 'response'; bytes: number; status?: number }
  | { type: 'open'; path: string; protocol: string | undefined; extensions: string | undefined; deflate: DeflateParams | undefined }
  | { type: 'handshake-failed'; error: RemoteProtocolError }
  | { type: 'frame'; frame: FrameInfo }
  | { type: 'message'; message: DataMessage }
  | { type: 'ping'; data: Uint8Array }
  | { type: 'pong'; data: Uint8Array }
  /** The peer's close frame arrived. */
  | { type: 'close-received'; code: number; reason: string }
  /** A peer violation or a timeout; a `closed` event follows. */
  | { type: 'error'; error: RemoteProtocolError }
  /**
   * The WebSocket is closed. `code` is what the application sees (1006 when no close frame
   * came back). `tcp`: end the TCP connection (FIN after the closing handshake), drop it at once
   * ('abort': ws destroys the socket, which is close(2): a FIN, and a RST for later data), or
   * nothing (it is gone).
   */
  | { type: 'closed'; code: number; reason: string; wasClean: boolean; tcp: 'end' | 'abort' | 'none' };

/** ws's closeTimeout. */
export const DEFAULT_CLOSE_TIMEOUT: Micros = 30_000_000;
