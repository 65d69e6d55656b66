/**
 * The opening handshake (RFC 6455 section 4): the client's HTTP/1.1 GET, the server's 101, and
 * the failures a real server answers with. Everything here is pure: keys come from the caller,
 * and the byte counts are those of the exact text that goes on the wire.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import type { RandomBytes } from '../../core/rng.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { handshakeError } from './errors.ts';
import { encodeUtf8 } from './utf8.ts';

/** Section 1.3 / 4.2.2: the GUID appended to the key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept = base64(SHA-1(key + GUID)) (section 4.2.2 step 5.4). */
export function computeAccept(key: string): string {
  return toBase64(sha1(encodeUtf8(key + WEBSOCKET_GUID)));
}

/** Section 4.1: a nonce of 16 random bytes, base64-encoded (24 characters). */
export function generateKey(random: RandomBytes): string {
  return toBase64(random(16));
}

export interface HttpHead {
  /** "GET /chat HTTP/1.1" or "HTTP/1.1 101 Switching Protocols". */
  startLine: string;
  /** Header fields by lower-case name; repeated fields joined with ", " (RFC 9110 section 5.3). */
  headers: Map<string, string>;
  /** Bytes of the head, CRLFCRLF included. */
  bytes: number;
}

/** Largest request or response head accepted (Node's default max header size is 16 KiB). */
export const MAX_HEAD_BYTES = 16 * 1024;

/** Collects bytes until the blank line that ends an HTTP head; what follows is kept as `rest`. */
export class HttpHeadReader {
  #buffer = new Uint8Array(0);

  /** The head and the bytes after it, or undefined when more bytes are needed. */
  push(bytes: Uint8Array): { head: HttpHead; rest: Uint8Array } | undefined {
    const merged = new Uint8Array(this.#buffer.length + bytes.length);
    merged.set(this.#buffer);
    merged.set(bytes, this.#buffer.length);
    this.#buffer = merged;
    const from = Math.max(0, merged.length - bytes.length - 3);
    for (let i = from; i + 3 < merged.length; i++) {
      if (merged[i] === 13 && merged[i + 1] === 10 && merged[i + 2] === 13 && merged[i + 3] === 10) {
        const end = i + 4;
        const head = parseHead(merged.subarray(0, end));
        const rest = merged.slice(end);
        this.#buffer = new Uint8Array(0);
        return { head, rest };
      }
    }
    if (merged.length > MAX_HEAD_BYTES)
      throw handshakeError('HANDSHAKE_HEAD_TOO_LARGE', `the HTTP head is over ${MAX_HEAD_BYTES} bytes`, 431);
    return undefined;
  }
}

function parseHead(bytes: Uint8Array): HttpHead {
  // Header field values are ISO-8859-1 octets (RFC 9110 section 5.5); map each byte to one char.
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  const lines = text.slice(0, -4).split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw handshakeError('HANDSHAKE_BAD_HTTP', `malformed header line "${line}"`, 400);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prior = headers.get(name);
    headers.set(name, prior === undefined ? value : `${prior}, ${value}`);
  }
  return { startLine: lines[0] ?? '', headers, bytes: bytes.length };
}

function hasToken(value: string | undefined, token: string): boolean {
  return (value ?? '').split(',').some((t) => t.trim().toLowerCase() === token);
}

export interface ClientRequestOptions {
  key: string;
  host: string;
  path?: string;
  /** Sec-WebSocket-Protocol values offered, e.g. ['mqtt']. */
  protocols?: string[];
  /** Sec-WebSocket-Extensions value offered, e.g. "permessage-deflate; client_max_window_bits". */
  extensions?: string;
  origin?: string;
  /** More header lines, in order (cookies, user agent...): each one counts on the wire. */
  headers?: [string, string][];
}

/** The client's request text (section 4.1), every header line as it goes on the wire. */
export function buildClientRequest(o: ClientRequestOptions): string {
  const lines = [
    `GET ${o.path ?? '/'} HTTP/1.1`,
    `Host: ${o.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${o.key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (o.origin !== undefined) lines.push(`Origin: ${o.origin}`);
  if (o.protocols && o.protocols.length > 0) lines.push(`Sec-WebSocket-Protocol: ${o.protocols.join(', ')}`);
  if (o.extensions) lines.push(`Sec-WebSocket-Extensions: ${o.extensions}`);
  for (const [name, value] of o.headers ?? []) lines.push(`${name}: ${value}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

/**
 * `Upgrade: websocket` and a `Connection` header with the `Upgrade` token, which both sides
 * require (sections 4.1 items 2-3 and 4.2.1 items 3-4); `status` is what a server answers (0 on
 * the client, which answers nothing).
 */
function checkUpgradeHeaders(h: HttpHead['headers'], status: number): void {
  if (!hasToken(h.get('upgrade'), 'websocket'))
    throw handshakeError('HANDSHAKE_BAD_UPGRADE', `the Upgrade header is "${h.get('upgrade') ?? ''}", not websocket`, status);
  if (!hasToken(h.get('connection'), 'upgrade'))
    throw handshakeError('HANDSHAKE_BAD_CONNECTION', `the Connection header "${h.get('connection') ?? ''}" has no Upgrade token`, status);
}

export interface ClientRequest {
  path: string;
  key: string;
  protocols: string[];
  extensions: string | undefined;
  head: HttpHead;
}

/**
 * Server side checks of section 4.2.1, with the statuses `ws` and the RFC use: 405 for another
 * method, 400 for a missing or bad Upgrade/Connection/key, 426 with the supported version for any
 * version but 13 (section 4.4).
 */
export function validateClientRequest(head: HttpHead): ClientRequest {
  const [method, path, version] = head.startLine.split(' ');
  if (method !== 'GET') throw handshakeError('HANDSHAKE_BAD_METHOD', `the method is "${method ?? ''}", not GET`, 405);
  if (version !== 'HTTP/1.1' || path === undefined)
    throw handshakeError('HANDSHAKE_BAD_HTTP', `"${head.startLine}" is not an HTTP/1.1 request line`, 400);
  const h = head.headers;
  checkUpgradeHeaders(h, 400);
  const key = h.get('sec-websocket-key');
  if (key === undefined) throw handshakeError('HANDSHAKE_MISSING_KEY', 'the Sec-WebSocket-Key header is missing', 400);
  if (fromBase64(key)?.length !== 16)
    throw handshakeError('HANDSHAKE_BAD_KEY', `Sec-WebSocket-Key "${key}" is not 16 bytes in base64`, 400);
  const v = h.get('sec-websocket-version');
  if (v !== '13')
    throw handshakeError(
      'HANDSHAKE_BAD_VERSION',
      v === undefined ? 'the Sec-WebSocket-Version header is missing' : `Sec-WebSocket-Version ${v} is not supported (13 is)`,
      426,
    );
  const protocols = (h.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  return { path, key, protocols, extensions: h.get('sec-websocket-extensions'), head };
}

/** The server's 101 (section 4.2.2 step 5); header order as `ws` writes it. */
export function buildServerResponse(o: { accept: string; protocol?: string; extensions?: string }): string {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${o.accept}`];
  if (o.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${o.protocol}`);
  if (o.extensions) lines.push(`Sec-WebSocket-Extensions: ${o.extensions}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
};

/** A refusal: the status, a short text body, and for 426 the version the server speaks (section 4.4). */
export function buildFailureResponse(status: number, message: string): string {
  const body = message;
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`, 'Connection: close', 'Content-Type: text/plain'];
  if (status === 426) lines.push('Sec-WebSocket-Version: 13');
  lines.push(`Content-Length: ${encodeUtf8(body).length}`);
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

export interface ServerResponse {
  protocol: string | undefined;
  extensions: string | undefined;
  head: HttpHead;
}

/**
 * Client side checks of section 4.1 (items 1-6 of "the client MUST validate"): any other status,
 * a wrong accept, or an unrequested subprotocol makes the client fail the connection.
 */
export function validateServerResponse(head: HttpHead, key: string, offeredProtocols: string[] = []): ServerResponse {
  const status = head.startLine.split(' ')[1];
  if (status !== '101')
    throw handshakeError('HANDSHAKE_REFUSED', `the server answered "${head.startLine}" instead of 101`, Number(status) || 0);
  const h = head.headers;
  checkUpgradeHeaders(h, 0);
  const accept = h.get('sec-websocket-accept');
  const expected = computeAccept(key);
  if (accept !== expected)
    throw handshakeError('HANDSHAKE_BAD_ACCEPT', `Sec-WebSocket-Accept is "${accept ?? ''}", expected "${expected}"`, 0);
  const protocol = h.get('sec-websocket-protocol');
  if (protocol !== undefined && !offeredProtocols.includes(protocol))
    throw handshakeError('HANDSHAKE_BAD_PROTOCOL', `the server chose subprotocol "${protocol}", which was not offered`, 0);
  return { protocol, extensions: h.get('sec-websocket-extensions'), head };
}
