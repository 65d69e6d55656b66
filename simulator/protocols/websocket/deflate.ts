/**
 * permessage-deflate (RFC 7692): negotiation as `ws` does it, and the per-message codec with a
 * real deflate (pako: raw DEFLATE, sync flush). Section 7.2.1: the sender compresses the message,
 * flushes with Z_SYNC_FLUSH and removes the trailing 00 00 ff ff; the receiver appends those four
 * bytes back before inflating. Without "no_context_takeover" the LZ77 window carries over from
 * one message to the next (section 7.1.1), which is why later similar messages get smaller.
 */
import { Deflate, Inflate, Z_SYNC_FLUSH } from 'pako';
import { localError, remoteError } from './errors.ts';
import { formatExtension, type ExtensionOffer } from './extensions.ts';

export const EXTENSION_NAME = 'permessage-deflate';

export interface DeflateOptions {
  /** Ask (client) or impose (server) that the server resets its compressor after every message. */
  serverNoContextTakeover?: boolean;
  /** Ask (client) or impose (server) that the client resets its compressor after every message. */
  clientNoContextTakeover?: boolean;
  /** LZ77 window of the server's compressor, 9-15 (RFC 7692 section 7.1.2; zlib cannot do 8 in raw mode). */
  serverMaxWindowBits?: number;
  /** LZ77 window of the client's compressor, 9-15. */
  clientMaxWindowBits?: number;
  /** Messages shorter than this are sent uncompressed (ws's `threshold`, 1024 by default). */
  threshold?: number;
  /** zlib level 0-9 (default 6, as zlib's default). */
  level?: number;
}

/** What both sides agreed on. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

export const DEFAULT_DEFLATE_THRESHOLD = 1024;

function windowBits(value: string | true | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (value === true) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 8 || n > 15) throw localError('BAD_EXTENSION_PARAM', `${what}=${value} is not 8-15`);
  return Math.max(n, 9);
}

/** The client's offer (ws offers `client_max_window_bits` without a value so the server may pick). */
export function deflateOffer(options: DeflateOptions): ExtensionOffer {
  const params: Record<string, string | true> = {};
  if (options.serverNoContextTakeover) params.server_no_context_takeover = true;
  if (options.clientNoContextTakeover) params.client_no_context_takeover = true;
  if (options.serverMaxWindowBits !== undefined) params.server_max_window_bits = String(options.serverMaxWindowBits);
  params.client_max_window_bits = options.clientMaxWindowBits !== undefined ? String(options.clientMaxWindowBits) : true;
  return { name: EXTENSION_NAME, params };
}

/**
 * Server side (RFC 7692 section 5/7.1): takes the first acceptable offer, adds what the server
 * imposes, and returns the response extension and the agreed parameters; undefined when no
 * offer is acceptable (the handshake then goes on without the extension, as ws does).
 */
export function acceptDeflateOffer(
  offers: ExtensionOffer[],
  options: DeflateOptions,
): { response: ExtensionOffer; params: DeflateParams } | undefined {
  for (const offer of offers) {
    if (offer.name !== EXTENSION_NAME) continue;
    const p = offer.params;
    const known = ['server_no_context_takeover', 'client_no_context_takeover', 'server_max_window_bits', 'client_max_window_bits'];
    if (Object.keys(p).some((k) => !known.includes(k))) continue;
    let serverBits: number | undefined;
    try {
      serverBits = windowBits(p.server_max_window_bits, 'server_max_window_bits');
      windowBits(p.client_max_window_bits, 'client_max_window_bits');
    } catch {
      continue;
    }
    if (p.server_max_window_bits === true) continue;
    // A configured client window needs the client to have said it can limit its window.
    if (options.clientMaxWindowBits !== undefined && p.client_max_window_bits === undefined) continue;
    const response: Record<string, string | true> = {};
    if (options.serverNoContextTakeover || p.server_no_context_takeover) response.server_no_context_takeover = true;
    if (options.clientNoContextTakeover || p.client_no_context_takeover) response.client_no_context_takeover = true;
    const sBits = Math.min(serverBits ?? 15, options.serverMaxWindowBits ?? 15);
    if (sBits < 15 || serverBits !== undefined) response.server_max_window_bits = String(sBits);
    let cBits = 15;
    if (options.clientMaxWindowBits !== undefined) {
      const offered = p.client_max_window_bits === true ? 15 : Number(p.client_max_window_bits);
      cBits = Math.min(offered, options.clientMaxWindowBits);
      response.client_max_window_bits = String(cBits);
    } else if (typeof p.client_max_window_bits === 'string') {
      cBits = Number(p.client_max_window_bits);
      response.client_max_window_bits = p.client_max_window_bits;
    }
    return {
      response: { name: EXTENSION_NAME, params: response },
      params: {
        serverNoContextTakeover: response.server_no_context_takeover === true,
        clientNoContextTakeover: response.client_no_context_takeover === true,
        serverMaxWindowBits: sBits,
        clientMaxWindowBits: Math.max(cBits, 9),
      },
    };
  }
  return undefined;
}

/**
 * Client side: checks the server's answer against what was offered (RFC 7692 section 5.1:
 * a response the client cannot accept fails the connection).
 */
export function acceptDeflateResponse(response: ExtensionOffer, options: DeflateOptions): DeflateParams {
  const p = response.params;
  const known = ['server_no_context_takeover', 'client_no_context_takeover', 'server_max_window_bits', 'client_max_window_bits'];
  const unknown = Object.keys(p).find((k) => !known.includes(k));
  if (unknown) throw localError('BAD_EXTENSION_PARAM', `unknown permessage-deflate parameter "${unknown}"`);
  const serverBits = p.server_max_window_bits === true ? undefined : windowBits(p.server_max_window_bits, 'server_max_window_bits');
  if (p.server_max_window_bits === true) throw localError('BAD_EXTENSION_PARAM', 'server_max_window_bits needs a value');
  if (options.serverMaxWindowBits !== undefined && (serverBits ?? 15) > options.serverMaxWindowBits)
    throw localError('BAD_EXTENSION_PARAM', `server_max_window_bits=${serverBits} is over the ${options.serverMaxWindowBits} asked for`);
  const clientBits = p.client_max_window_bits === true ? undefined : windowBits(p.client_max_window_bits, 'client_max_window_bits');
  if (p.client_max_window_bits === true) throw localError('BAD_EXTENSION_PARAM', 'client_max_window_bits needs a value');
  return {
    serverNoContextTakeover: p.server_no_context_takeover === true,
    clientNoContextTakeover: p.client_no_context_takeover === true,
    serverMaxWindowBits: serverBits ?? 15,
    clientMaxWindowBits: clientBits ?? options.clientMaxWindowBits ?? 15,
  };
}

export function formatDeflate(offer: ExtensionOffer): string {
  return formatExtension(offer);
}

const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

function concat(chunks: Uint8Array[], extra = 0): Uint8Array {
  let length = extra;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** One side's compressor and decompressor for a negotiated permessage-deflate. */
export class PerMessageDeflate {
  readonly threshold: number;
  #deflate: Deflate | undefined;
  #inflate: Inflate | undefined;
  #out: Uint8Array[] = [];
  #in: Uint8Array[] = [];
  readonly #sendBits: number;
  readonly #receiveBits: number;
  readonly #sendReset: boolean;
  readonly #receiveReset: boolean;
  readonly #level: number;

  constructor(
    readonly params: DeflateParams,
    readonly side: 'client' | 'server',
    options: DeflateOptions = {},
  ) {
    this.threshold = options.threshold ?? DEFAULT_DEFLATE_THRESHOLD;
    this.#level = options.level ?? 6;
    const server = side === 'server';
    this.#sendBits = server ? params.serverMaxWindowBits : params.clientMaxWindowBits;
    this.#receiveBits = server ? params.clientMaxWindowBits : params.serverMaxWindowBits;
    this.#sendReset = server ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    this.#receiveReset = server ? params.clientNoContextTakeover : params.serverNoContextTakeover;
  }

  /** The compressed message body, trailing 00 00 ff ff removed (RFC 7692 section 7.2.1). */
  compress(data: Uint8Array): Uint8Array {
    // An empty message compresses to one empty stored block, "00" (section 7.2.3.6).
    if (data.length === 0) return new Uint8Array([0x00]);
    if (!this.#deflate || this.#sendReset) {
      this.#deflate = new Deflate({ raw: true, windowBits: this.#sendBits, level: this.#level as 6 });
      this.#deflate.onData = (chunk) => this.#out.push(chunk);
    }
    this.#out = [];
    this.#deflate.push(data, Z_SYNC_FLUSH);
    const all = concat(this.#out);
    this.#out = [];
    return all.subarray(0, all.length - 4);
  }

  /** The message body; throws INFLATE_FAILED (1007) or MESSAGE_TOO_BIG (1009). */
  decompress(data: Uint8Array, maxBytes: number): Uint8Array {
    if (!this.#inflate || this.#receiveReset) {
      this.#inflate = new Inflate({ raw: true, windowBits: this.#receiveBits });
      this.#inflate.onData = (chunk) => this.#in.push(chunk);
    }
    this.#in = [];
    const input = new Uint8Array(data.length + 4);
    input.set(data);
    input.set(TAIL, data.length);
    this.#inflate.push(input, Z_SYNC_FLUSH);
    if (this.#inflate.err) {
      const msg = this.#inflate.msg || `zlib error ${this.#inflate.err}`;
      this.#inflate = undefined;
      throw remoteError('INFLATE_FAILED', `permessage-deflate data does not inflate: ${msg}`);
    }
    const out = concat(this.#in);
    this.#in = [];
    if (out.length > maxBytes)
      throw remoteError('MESSAGE_TOO_BIG', `an inflated message of ${out.length} bytes is over the limit of ${maxBytes}`);
    return out;
  }
}
