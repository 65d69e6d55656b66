/**
 * The byte pipe an mqtt-client role talks through: plain TCP (port 1883), or MQTT over WebSocket
 * (MQTT 3.1.1 / 5 section 6): an RFC 6455 client engine (../../protocols/websocket/connection.ts)
 * offering subprotocol `mqtt`, masked binary frames ([MQTT-6.0.0-1]). Frames may split or join
 * packets ([MQTT-6.0.0-2]); how mqtt.js cuts them depends on where it runs (`WsWrites`):
 * - 'browser' (the default): one frame per packet. mqtt.js's browser stream joins what was
 *   written while the stream was corked (BufferedDuplex.js `writev`, Buffer.concat) and hands it
 *   to the page's WebSocket in one send(), and a browser's WebSocket sends one frame per send().
 *   The default because MQTT over WebSocket is what a browser dashboard speaks; a Node program
 *   would normally use TCP.
 * - 'node': one frame per field. In Node mqtt.js wraps the `ws` library in its stream
 *   (connect/ws.js, ws.createWebSocketStream), which has no _writev: each piece mqtt-packet's
 *   writeToStream writes becomes its own frame (../../protocols/mqtt/codec.ts mqttjsWrites), and
 *   `ws` writes each frame at once with TCP_NODELAY: a QoS 0 PUBLISH of 100 bytes on topic "t" is
 *   5 frames (1+1+2+1+100 payload bytes, each + 6 header and mask) in 5 segments, 395 IP bytes on
 *   the testbed against 157 over TCP.
 *
 * Closing: an orderly close sends a WebSocket close frame and leaves ending TCP to the engine
 * (after the broker's close frame, or its close timeout); an abortive one resets TCP.
 *
 * The pipe reports its TCP stream position after each send, so the role can tell, once the
 * connection has settled, which QoS 0 messages the broker's application received: over WebSocket
 * a message counts only once its whole frame arrived.
 */
import { randomBytesFrom } from '../../core/rng.ts';
import type { Micros } from '../../core/time.ts';
import type { TcpOptions } from '../../protocols/tcp/api.ts';
import { WsConnection } from '../../protocols/websocket/connection.ts';
import type { Connection, RoleContext } from '../api.ts';
import { EngineDriver } from '../driver.ts';
import { mqttjsWrites, type MqttVersion } from '../../protocols/mqtt/codec.ts';
import { traceWsEvent } from './ws-common.ts';

export type MqttTransport = 'tcp' | 'websocket';

/** How MQTT over WebSocket is cut into frames: as mqtt.js in a browser or in Node (see above). */
export type WsWrites = 'browser' | 'node';

/** The request path a WebSocket MQTT client asks for (mosquitto ignores it; `/mqtt` is the usual one). */
export const MQTT_WS_PATH = '/mqtt';

/** What a pipe tells its owner; each call names the pipe, so one owner may serve its pipes one after another. */
export interface MqttPipeHandlers {
  /** The pipe carries MQTT now (TCP connected, or WebSocket handshake done). */
  onOpen(pipe: MqttPipe): void;
  /** MQTT bytes from the broker. */
  onData(data: Uint8Array, pipe: MqttPipe): void;
  /** The pipe is gone (closed by either side, reset, timed out); called at most once. */
  onGone(pipe: MqttPipe): void;
}

export interface MqttPipe {
  readonly conn: Connection;
  /** True when bytes travel in frames: a message counts as received only with its whole frame. */
  readonly framed: boolean;
  /** Sends one whole MQTT packet; returns the TCP stream offset at which it ends. */
  send(packet: Uint8Array): number;
  /** Ends the pipe: orderly (a WebSocket close frame 1000, then FIN) or abortive (RST). */
  close(abort: boolean): void;
}

/** Opens a pipe to `node:port`. TCP options are the role's (Nagle etc.); `framing` says how WebSocket frames are cut. */
export function openMqttPipe(
  ctx: RoleContext,
  transport: MqttTransport,
  node: string,
  port: number,
  tcp: Partial<TcpOptions>,
  handlers: MqttPipeHandlers,
  framing: { writes: WsWrites; version: MqttVersion } = { writes: 'browser', version: 4 },
): MqttPipe {
  const conn = ctx.connect(node, port, tcp);
  if (transport === 'tcp') return new TcpPipe(conn, handlers);
  let written = 0;
  let gone = false;
  const goneOnce = () => {
    if (gone) return;
    gone = true;
    handlers.onGone(pipe);
  };

  const ws = new WsConnection({
    role: 'client',
    random: randomBytesFrom(ctx.rng(`mqtt-ws:${conn.id}`)),
    protocols: ['mqtt'],
    host: port === 80 ? node : `${node}:${port}`,
    path: MQTT_WS_PATH,
    // What every browser sends (NETWORK-FACTS.md): its page's Origin (taken to be served from
    // https://<node>.example) and an offer of permessage-deflate, which the broker may decline.
    // Browsers also send User-Agent, Accept-Language, cookies...: they vary, and are left out.
    origin: `https://${ctx.node}.example`,
    deflate: {},
  });
  /** Everything the WebSocket engine produced: bytes onto TCP, events handled. */
  const drain = () => {
    for (;;) {
      const out = ws.dataToSend();
      if (out !== undefined) {
        conn.write(out);
        written += out.length;
      }
      const ev = ws.nextEvent();
      if (out === undefined && ev === undefined) break;
      if (ev === undefined) continue;
      traceWsEvent(ctx, conn.id, ev);
      if (ev.type === 'open') handlers.onOpen(pipe);
      else if (ev.type === 'message' && ev.message.binary) handlers.onData(ev.message.data, pipe);
      else if (ev.type === 'message') ws.close(1003, 'MQTT travels in binary frames', ctx.now()); // [MQTT-6.0.0-1]
      else if (ev.type === 'closed') {
        if (ev.tcp === 'abort') conn.abort();
        else if (ev.tcp === 'end') conn.close();
        goneOnce();
      }
    }
  };
  /** Runs a WebSocket engine call, writes its bytes, handles its events, re-arms its timer (../driver.ts). */
  const driver = new EngineDriver(ws, ctx, { drain, horizon: ctx.endTime, active: () => !gone });
  const call = (fn: (now: Micros) => void) => driver.call(fn);

  conn.onConnect(() => call((now) => ws.start(now)));
  conn.onData((data) => call((now) => ws.receiveData(data, now)));
  conn.onEnd(() => {
    call((now) => ws.connectionLost(now));
    goneOnce();
    conn.close();
  });
  conn.onClose(() => {
    call((now) => ws.connectionLost(now));
    goneOnce();
  });
  const pipe: MqttPipe = {
    conn,
    framed: true,
    send(packet) {
      // Each frame is its own write onto TCP, also when this runs inside `drain` (a PUBACK
      // answering a PUBLISH), where the driver would join them.
      for (const piece of framing.writes === 'node' ? mqttjsWrites(packet, framing.version) : [packet]) {
        ws.sendBinary(piece, ctx.now());
        const out = ws.dataToSend();
        if (out !== undefined) {
          conn.write(out);
          written += out.length;
        }
      }
      driver.sync();
      return written;
    },
    close(abort) {
      if (abort) {
        conn.abort();
        return;
      }
      // As a browser: send the close frame and let the engine end TCP when the broker's close
      // frame comes back, or when its close timeout passes (RFC 6455 section 7.1.1).
      if (ws.state === 'OPEN') call((now) => ws.close(1000, '', now));
      else conn.close();
    },
  };
  return pipe;
}

/**
 * MQTT straight on TCP. A class rather than an object of closures: every device of a fleet has
 * one, and its methods are shared; only the connection's four handlers are closures.
 */
class TcpPipe implements MqttPipe {
  readonly framed = false;
  /** Bytes written so far: the TCP stream offset after the last one. */
  #written = 0;
  #gone = false;

  constructor(readonly conn: Connection, handlers: MqttPipeHandlers) {
    conn.onConnect(() => handlers.onOpen(this));
    conn.onData((data) => handlers.onData(data, this));
    conn.onEnd(() => {
      // The broker closed its side: this connection is over.
      this.#goneOnce(handlers);
      conn.close();
    });
    conn.onClose(() => this.#goneOnce(handlers));
  }

  send(packet: Uint8Array): number {
    this.conn.write(packet);
    this.#written += packet.length;
    return this.#written;
  }

  close(abort: boolean): void {
    if (abort) this.conn.abort();
    else this.conn.close();
  }

  #goneOnce(handlers: MqttPipeHandlers): void {
    if (this.#gone) return;
    this.#gone = true;
    handlers.onGone(this);
  }
}
