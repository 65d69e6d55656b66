/**
 * The WebSocket connection as a sans-IO state machine (RFC 6455), one class for both ends.
 *
 * Rules of this file (h11's, with aioquic's timers): no sockets, no clock, no Math.random.
 * Bytes come in through `receiveData(bytes, now)`, the application calls `send*`, `ping`,
 * `close`; the caller drains `dataToSend()` and `nextEvent()` after every call and wakes the
 * engine at `nextTimer()` with `handleTimer(now)`. When the TCP connection underneath dies the
 * caller says so with `connectionLost(now)`; the application then sees close code 1006.
 * A `closed` event tells the IO layer what to do with the TCP connection (`tcp`).
 *
 * States (section 4.1 / 7): CONNECTING -> OPEN -> CLOSING -> CLOSED; CONNECTING -> CLOSED when
 * the handshake fails.
 */
import type { RemoteProtocolError } from '../../core/errors.ts';
import type { Micros } from '../../core/time.ts';
import { MessageAssembler } from './assembler.ts';
import {
  acceptDeflateOffer,
  acceptDeflateResponse,
  deflateOffer,
  EXTENSION_NAME,
  PerMessageDeflate,
  type DeflateOptions,
  type DeflateParams,
} from './deflate.ts';
import { CloseCode, handshakeError, localError, isValidWireCloseCode, remoteError } from './errors.ts';
import { formatExtension, parseExtensions } from './extensions.ts';
import { closePayload, encodeFrame, MAX_CONTROL_PAYLOAD, Opcode, opcodeName } from './frame.ts';
import {
  buildClientRequest,
  buildFailureResponse,
  buildServerResponse,
  computeAccept,
  generateKey,
  HttpHeadReader,
  validateClientRequest,
  validateServerResponse,
} from './handshake.ts';
import { DEFAULT_MAX_PAYLOAD, FrameParser, type ParsedFrame } from './parser.ts';
import { encodeUtf8 } from './utf8.ts';

export type { FrameInfo, WsConnectionOptions, WsEvent, WsState } from './connection-api.ts';
export { DEFAULT_CLOSE_TIMEOUT } from './connection-api.ts';
import { DEFAULT_CLOSE_TIMEOUT, type FrameInfo, type WsConnectionOptions, type WsEvent, type WsState } from './connection-api.ts';

export class WsConnection {
  readonly role: 'client' | 'server';
  #state: WsState = 'CONNECTING';
  #options: WsConnectionOptions;
  #out: Uint8Array[] = [];
  #events: WsEvent[] = [];
  #eventsRead = 0;
  #head = new HttpHeadReader();
  #parser: FrameParser;
  #assembler: MessageAssembler;
  #key: string | undefined;
  #deflate: PerMessageDeflate | undefined;
  #closeSent = false;
  #closeReceived: { code: number; reason: string } | undefined;
  #nextPingAt: Micros | undefined;
  #pongDeadline: Micros | undefined;
  #closeDeadline: Micros | undefined;
  #protocol: string | undefined;
  #extensions: string | undefined;
  /** Handshake bytes as counted on the wire: request, response. */
  handshakeBytes = { request: 0, response: 0 };

  constructor(options: WsConnectionOptions) {
    this.role = options.role;
    this.#options = options;
    const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    // Frames from the peer: a server reads client frames and vice versa (section 5.1).
    this.#parser = new FrameParser({ from: options.role === 'server' ? 'client' : 'server', maxPayload });
    this.#assembler = new MessageAssembler(maxPayload);
  }

  get state(): WsState {
    return this.#state;
  }
  get protocol(): string | undefined {
    return this.#protocol;
  }
  get extensions(): string | undefined {
    return this.#extensions;
  }
  get deflateParams(): DeflateParams | undefined {
    return this.#deflate?.params;
  }

  /** Client: sends the opening handshake (call once the TCP connection is up). Server: no-op. */
  start(now: Micros): void {
    void now;
    if (this.role !== 'client' || this.#key !== undefined) return;
    const o = this.#options;
    this.#key = generateKey(o.random);
    const request = buildClientRequest({
      key: this.#key,
      host: o.host ?? 'localhost',
      path: o.path ?? '/',
      ...(o.protocols ? { protocols: o.protocols } : {}),
      ...(o.origin !== undefined ? { origin: o.origin } : {}),
      ...(o.headers ? { headers: o.headers } : {}),
      ...(o.deflate ? { extensions: formatExtension(deflateOffer(o.deflate)) } : {}),
    });
    const bytes = encodeUtf8(request);
    this.handshakeBytes.request = bytes.length;
    this.#out.push(bytes);
    this.#events.push({ type: 'handshake', dir: 'send', what: 'request', bytes: bytes.length });
  }

  receiveData(bytes: Uint8Array, now: Micros): void {
    if (this.#state === 'CLOSED' || bytes.length === 0) return;
    if (this.#state === 'CONNECTING') {
      let done;
      try {
        done = this.#head.push(bytes);
      } catch (error) {
        this.#failHandshake(error as RemoteProtocolError);
        return;
      }
      if (!done) return;
      if (this.role === 'server') this.#handleRequest(done.head, now);
      else this.#handleResponse(done.head, now);
      if ((this.#state as WsState) !== 'OPEN' || done.rest.length === 0) return;
      bytes = done.rest;
    }
    this.#parser.push(bytes);
    this.#readFrames(now);
  }

  /** A text message (a string is UTF-8 encoded). */
  sendText(text: string | Uint8Array, now: Micros): void {
    this.#sendMessage(typeof text === 'string' ? encodeUtf8(text) : text, Opcode.text, now);
  }

  sendBinary(data: Uint8Array, now: Micros): void {
    this.#sendMessage(data, Opcode.binary, now);
  }

  ping(data: Uint8Array = new Uint8Array(0), now: Micros = 0): void {
    this.#requireOpen('ping');
    this.#sendFrame(Opcode.ping, data, true, false);
    void now;
  }

  pong(data: Uint8Array = new Uint8Array(0), now: Micros = 0): void {
    this.#requireOpen('pong');
    this.#sendFrame(Opcode.pong, data, true, false);
    void now;
  }

  /**
   * Starts the closing handshake (section 7.1.2). A code must be one an endpoint may send
   * (1000, 1001-1003, 1007-1014, 3000-4999); the reason is at most 123 bytes of UTF-8.
   * Before the handshake finished, the connection is simply dropped (as ws does).
   */
  close(code: number | undefined, reason = '', now: Micros): void {
    if (this.#state === 'CLOSED' || this.#closeSent) return;
    if (this.#state === 'CONNECTING') {
      this.#finish(CloseCode.abnormal, 'closed before the handshake finished', false, 'abort');
      return;
    }
    if (code !== undefined && !isValidWireCloseCode(code))
      throw localError('BAD_CLOSE_CODE', `close code ${code} may not be sent (RFC 6455 section 7.4)`);
    const reasonBytes = encodeUtf8(reason);
    if (code === undefined && reasonBytes.length > 0) throw localError('BAD_CLOSE_REASON', 'a close reason needs a close code');
    if (reasonBytes.length > MAX_CONTROL_PAYLOAD - 2)
      throw localError('BAD_CLOSE_REASON', `a close reason is at most 123 bytes, got ${reasonBytes.length}`);
    this.#sendClose(code, reasonBytes, now);
    if (this.#closeReceived) this.#finish(this.#closeReceived.code, this.#closeReceived.reason, true, 'end');
  }

  /** The TCP connection under this WebSocket ended or died (timeout, reset, FIN without a close frame). */
  connectionLost(now: Micros): void {
    void now;
    if (this.#state === 'CLOSED') return;
    this.#finish(CloseCode.abnormal, '', false, 'none');
  }

  dataToSend(): Uint8Array | undefined {
    if (this.#out.length === 0) return undefined;
    if (this.#out.length === 1) return this.#out.pop();
    let length = 0;
    for (const c of this.#out) length += c.length;
    const all = new Uint8Array(length);
    let at = 0;
    for (const c of this.#out) {
      all.set(c, at);
      at += c.length;
    }
    this.#out = [];
    return all;
  }

  nextEvent(): WsEvent | undefined {
    // A read index rather than shift(): shift() moves the whole array, so draining the thousands
    // of frame events of one fragmented message (fragmentBytes 1) would take quadratic time.
    if (this.#eventsRead >= this.#events.length) return undefined;
    const event = this.#events[this.#eventsRead++];
    if (this.#eventsRead === this.#events.length) {
      this.#events = [];
      this.#eventsRead = 0;
    }
    return event;
  }

  nextTimer(): Micros | undefined {
    let next: Micros | undefined;
    for (const t of [this.#nextPingAt, this.#pongDeadline, this.#closeDeadline])
      if (t !== undefined && (next === undefined || t < next)) next = t;
    return next;
  }

  handleTimer(now: Micros): void {
    if (this.#closeDeadline !== undefined && now >= this.#closeDeadline) {
      this.#events.push({ type: 'error', error: remoteError('CLOSE_TIMEOUT', 'the peer did not finish the closing handshake in time') });
      this.#finish(CloseCode.abnormal, '', false, 'abort');
      return;
    }
    if (this.#pongDeadline !== undefined && now >= this.#pongDeadline) {
      // What applications on ws do: no pong since the last ping -> terminate(), code 1006.
      // ws's terminate() is socket.destroy(), i.e. close(2): a FIN when nothing is left unread, and
      // a RST for whatever the peer sends afterwards (tests/conformance/ws-terminate.test.ts). The
      // roles answer 'abort' that way (Connection.destroy in ../../runtime/api.ts).
      this.#events.push({ type: 'error', error: remoteError('PONG_TIMEOUT', 'no pong arrived in time: the peer is presumed dead') });
      this.#finish(CloseCode.abnormal, '', false, 'abort');
      return;
    }
    if (this.#nextPingAt !== undefined && now >= this.#nextPingAt && this.#state === 'OPEN') {
      this.#sendFrame(Opcode.ping, new Uint8Array(0), true, false);
      const interval = this.#options.heartbeatInterval!;
      if (this.#pongDeadline === undefined) this.#pongDeadline = now + (this.#options.pongTimeout ?? interval);
      this.#nextPingAt = now + interval;
    }
  }

  // ---- internals ----

  #requireOpen(what: string): void {
    if (this.#state !== 'OPEN') throw localError('NOT_OPEN', `cannot send a ${what} while the connection is ${this.#state}`);
  }

  #handleRequest(head: Parameters<typeof validateClientRequest>[0], now: Micros): void {
    this.#events.push({ type: 'handshake', dir: 'receive', what: 'request', bytes: head.bytes });
    this.handshakeBytes.request = head.bytes;
    let request;
    try {
      request = validateClientRequest(head);
    } catch (error) {
      const e = error as RemoteProtocolError;
      this.#failHandshake(e);
      return;
    }
    const o = this.#options;
    const protocol = request.protocols.find((p) => (o.protocols ?? []).includes(p));
    let extensions: string | undefined;
    if (o.deflate && request.extensions) {
      const accepted = acceptDeflateOffer(parseExtensions(request.extensions), o.deflate);
      if (accepted) {
        extensions = formatExtension(accepted.response);
        this.#useDeflate(accepted.params, o.deflate);
      }
    }
    const response = encodeUtf8(
      buildServerResponse({
        accept: computeAccept(request.key),
        ...(protocol !== undefined ? { protocol } : {}),
        ...(extensions !== undefined ? { extensions } : {}),
      }),
    );
    this.handshakeBytes.response = response.length;
    this.#out.push(response);
    this.#events.push({ type: 'handshake', dir: 'send', what: 'response', bytes: response.length, status: 101 });
    this.#open(request.path, protocol, extensions, now);
  }

  #handleResponse(head: Parameters<typeof validateServerResponse>[0], now: Micros): void {
    const status = Number(head.startLine.split(' ')[1]) || 0;
    this.handshakeBytes.response = head.bytes;
    this.#events.push({ type: 'handshake', dir: 'receive', what: 'response', bytes: head.bytes, status });
    const o = this.#options;
    try {
      const response = validateServerResponse(head, this.#key!, o.protocols ?? []);
      if (response.extensions !== undefined) {
        const offers = parseExtensions(response.extensions);
        const first = offers[0];
        // Section 9.1: the server may only answer with extensions the client offered.
        if (!o.deflate || offers.length !== 1 || first?.name !== EXTENSION_NAME)
          throw handshakeError('HANDSHAKE_BAD_EXTENSION', `the server answered with extensions "${response.extensions}" that were not offered`, 0);
        try {
          this.#useDeflate(acceptDeflateResponse(first, o.deflate), o.deflate);
        } catch (error) {
          throw handshakeError('HANDSHAKE_BAD_EXTENSION', (error as Error).message, 0);
        }
      }
      this.#open(o.path ?? '/', response.protocol, response.extensions, now);
    } catch (error) {
      this.#failHandshake(error as RemoteProtocolError);
    }
  }

  #useDeflate(params: DeflateParams, options: DeflateOptions): void {
    this.#deflate = new PerMessageDeflate(params, this.role, options);
    this.#assembler.deflate = this.#deflate;
    this.#parser.allowRsv1 = true;
  }

  #failHandshake(error: RemoteProtocolError): void {
    this.#events.push({ type: 'handshake-failed', error });
    if (this.role === 'server') {
      // The server answers with the status (400/405/426/431) and closes (section 4.2.1, 4.4).
      const status = error.protocolCode ?? 400;
      const response = encodeUtf8(buildFailureResponse(status, error.message));
      this.handshakeBytes.response = response.length;
      this.#out.push(response);
      this.#events.push({ type: 'handshake', dir: 'send', what: 'response', bytes: response.length, status });
      this.#finish(CloseCode.abnormal, error.message, false, 'end');
    } else {
      // Section 4.1: the client "MUST _Fail the WebSocket Connection_"; ws destroys the socket.
      this.#finish(CloseCode.abnormal, error.message, false, 'abort');
    }
  }

  #open(path: string, protocol: string | undefined, extensions: string | undefined, now: Micros): void {
    this.#state = 'OPEN';
    this.#protocol = protocol;
    this.#extensions = extensions;
    this.#events.push({ type: 'open', path, protocol, extensions, deflate: this.#deflate?.params });
    const interval = this.#options.heartbeatInterval;
    if (interval !== undefined && interval > 0) this.#nextPingAt = now + interval;
  }

  #readFrames(now: Micros): void {
    for (;;) {
      if (this.#state === 'CLOSED') return;
      let frame: ParsedFrame | undefined;
      try {
        frame = this.#parser.next();
        if (!frame) return;
        this.#events.push({ type: 'frame', frame: this.#frameInfo('receive', frame) });
        if (this.#closeReceived) continue; // section 5.5.1: nothing counts after a close frame
        const msg = this.#assembler.add(frame);
        if (!msg) continue;
        switch (msg.kind) {
          case 'message':
            this.#events.push({ type: 'message', message: msg });
            break;
          case 'ping':
            this.#events.push({ type: 'ping', data: msg.data });
            // Section 5.5.2: answer with a pong carrying the same data, unless closing.
            if (this.#state === 'OPEN') this.#sendFrame(Opcode.pong, msg.data, true, false);
            break;
          case 'pong':
            this.#pongDeadline = undefined;
            this.#events.push({ type: 'pong', data: msg.data });
            break;
          case 'close':
            this.#onClose(msg.code, msg.reason, now);
            break;
        }
      } catch (error) {
        this.#failConnection(error as RemoteProtocolError, now);
        return;
      }
    }
  }

  #onClose(code: number, reason: string, now: Micros): void {
    this.#closeReceived = { code, reason };
    this.#events.push({ type: 'close-received', code, reason });
    if (this.#closeSent) {
      this.#finish(code, reason, true, 'end');
      return;
    }
    // Section 5.5.1: answer with a close frame; like ws, echo the status code (not the reason).
    this.#sendClose(code === CloseCode.noStatus ? undefined : code, new Uint8Array(0), now);
    this.#finish(code, reason, true, 'end');
  }

  /** Section 7.1.7: send a close frame with the error's code, then drop the TCP connection. */
  #failConnection(error: RemoteProtocolError, now: Micros): void {
    this.#events.push({ type: 'error', error });
    const code = error.protocolCode ?? CloseCode.protocolError;
    if (!this.#closeSent && this.#state !== 'CONNECTING') this.#sendClose(code, new Uint8Array(0), now);
    this.#finish(code, error.message, false, 'end');
  }

  #sendClose(code: number | undefined, reason: Uint8Array, now: Micros): void {
    this.#sendFrame(Opcode.close, closePayload(code, reason), true, false, code);
    this.#closeSent = true;
    this.#state = 'CLOSING';
    this.#nextPingAt = undefined;
    this.#pongDeadline = undefined;
    this.#closeDeadline = now + (this.#options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT);
  }

  #finish(code: number, reason: string, wasClean: boolean, tcp: 'end' | 'abort' | 'none'): void {
    this.#state = 'CLOSED';
    this.#nextPingAt = undefined;
    this.#pongDeadline = undefined;
    this.#closeDeadline = undefined;
    this.#events.push({ type: 'closed', code, reason, wasClean, tcp });
  }

  #sendMessage(data: Uint8Array, opcode: number, now: Micros): void {
    void now;
    this.#requireOpen(opcodeName(opcode) + ' message');
    let body = data;
    let compressed = false;
    if (this.#deflate && data.length >= this.#deflate.threshold) {
      body = this.#deflate.compress(data);
      compressed = true;
    }
    const size = this.#options.fragmentBytes ?? 0;
    if (size <= 0 || body.length <= size) {
      this.#sendFrame(opcode, body, true, compressed);
      return;
    }
    // Section 5.4: first frame carries the opcode (and RSV1, RFC 7692 section 6.1), the rest are continuations.
    for (let at = 0; at < body.length; at += size) {
      const last = at + size >= body.length;
      this.#sendFrame(at === 0 ? opcode : Opcode.continuation, body.subarray(at, at + size), last, at === 0 && compressed);
    }
  }

  #sendFrame(opcode: number, payload: Uint8Array, fin: boolean, rsv1: boolean, closeCode?: number): void {
    const maskKey = this.role === 'client' ? this.#options.random(4) : undefined;
    const bytes = encodeFrame({ opcode, payload, fin, rsv1, ...(maskKey ? { maskKey } : {}) });
    this.#out.push(bytes);
    const info: FrameInfo = {
      dir: 'send',
      opcode: opcodeName(opcode),
      fin,
      rsv1,
      masked: maskKey !== undefined,
      payloadBytes: payload.length,
      frameBytes: bytes.length,
    };
    if (closeCode !== undefined) info.closeCode = closeCode;
    this.#events.push({ type: 'frame', frame: info });
  }

  #frameInfo(dir: 'send' | 'receive', frame: ParsedFrame): FrameInfo {
    const info: FrameInfo = {
      dir,
      opcode: opcodeName(frame.opcode),
      fin: frame.fin,
      rsv1: frame.rsv1,
      masked: frame.maskKey !== undefined,
      payloadBytes: frame.payload.length,
      frameBytes: frame.frameBytes,
    };
    if (frame.opcode === Opcode.close && frame.payload.length >= 2) info.closeCode = (frame.payload[0]! << 8) | frame.payload[1]!;
    return info;
  }
}

