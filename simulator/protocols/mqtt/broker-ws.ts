/**
 * MQTT over WebSocket for the broker (MQTT 3.1.1 section 6, MQTT 5 section 6): one sans-IO object
 * in front of an MqttBroker that serves plain TCP connections and WebSocket connections alike.
 *
 * A WebSocket connection runs the RFC 6455 server engine (../websocket/connection.ts) with
 * subprotocol `mqtt` ([MQTT-6.0.0-3]: the server selects "mqtt"); the broker sees the connection
 * only once the opening handshake has finished, and MQTT bytes travel in binary frames
 * ([MQTT-6.0.0-1]: a text frame closes the connection; frames may split or join packets,
 * [MQTT-6.0.0-2], so the MQTT parser reads the frames' payloads as one byte stream).
 *
 * Same shape as the broker: openConnection(connId, now, transport), receiveData, connectionLost,
 * nextOutput() -> { connId, bytes } | { connId, close: true, abort?: true }, nextEvent(),
 * nextTimer(), handleTimer(now). When the broker closes a WebSocket connection it sends a close
 * frame (1000) and ends TCP once the peer answers (or the close timeout passes).
 */
import type { RandomBytes } from '../../core/rng.ts';
import type { Micros } from '../../core/time.ts';
import { WsConnection, type WsConnectionOptions, type WsEvent } from '../websocket/connection.ts';
import { MqttBroker, type BrokerEvent, type BrokerOptions } from './broker.ts';
import { Fifo } from './fifo.ts';

export type Transport = 'tcp' | 'websocket';

export type FrontOutput = { connId: string; bytes: Uint8Array } | { connId: string; close: true; abort?: true };

/** A WebSocket engine event on one connection (handshake, frames, close), for ws-frame traces. */
export interface FrontWsEvent {
  type: 'ws';
  connId: string;
  event: WsEvent;
}

export type FrontEvent = BrokerEvent | FrontWsEvent;

export interface MqttBrokerFrontOptions {
  broker?: Partial<BrokerOptions>;
  /** Only used for WebSocket options that need it; a server never masks (RFC 6455 section 5.1). */
  random?: RandomBytes;
  /** Extra WebSocket server options (maxPayload, heartbeatInterval, closeTimeout, deflate...). */
  websocket?: Partial<Omit<WsConnectionOptions, 'role' | 'random' | 'protocols'>>;
}

/** Subprotocol names accepted for MQTT over WebSocket (MQTT 3.1 clients used "mqttv3.1"). */
export const MQTT_WS_PROTOCOLS = ['mqtt', 'mqttv3.1'];

const noRandom: RandomBytes = (n) => new Uint8Array(n);

export class MqttBrokerFront {
  readonly broker: MqttBroker;
  readonly #ws = new Map<string, WsConnection>();
  /** WebSocket connections whose MQTT side the broker knows (handshake done, not yet closed). */
  readonly #open = new Set<string>();
  readonly #options: MqttBrokerFrontOptions;
  #outputs = new Fifo<FrontOutput>();
  #events = new Fifo<FrontEvent>();

  constructor(options: MqttBrokerFrontOptions = {}) {
    this.#options = options;
    this.broker = new MqttBroker(options.broker);
  }

  openConnection(connId: string, now: Micros, transport: Transport = 'tcp'): void {
    if (transport === 'tcp') {
      this.broker.openConnection(connId, now);
      this.#route(now);
      return;
    }
    const ws = new WsConnection({
      ...this.#options.websocket,
      role: 'server',
      random: this.#options.random ?? noRandom,
      protocols: MQTT_WS_PROTOCOLS,
    });
    this.#ws.set(connId, ws);
    this.#drainWs(connId, ws, now);
  }

  receiveData(connId: string, bytes: Uint8Array, now: Micros): void {
    const ws = this.#ws.get(connId);
    if (ws === undefined) this.broker.receiveData(connId, bytes, now);
    else {
      ws.receiveData(bytes, now);
      this.#drainWs(connId, ws, now);
    }
    this.#route(now);
  }

  connectionLost(connId: string, now: Micros): void {
    const ws = this.#ws.get(connId);
    if (ws !== undefined) {
      ws.connectionLost(now);
      this.#drainWs(connId, ws, now);
    } else {
      this.broker.connectionLost(connId, now);
    }
    this.#route(now);
  }

  nextOutput(): FrontOutput | undefined {
    return this.#outputs.shift();
  }

  nextEvent(): FrontEvent | undefined {
    return this.#events.shift();
  }

  nextTimer(): Micros | undefined {
    let next = this.broker.nextTimer();
    for (const ws of this.#ws.values()) {
      const t = ws.nextTimer();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  handleTimer(now: Micros): void {
    const t = this.broker.nextTimer();
    if (t !== undefined && t <= now) this.broker.handleTimer(now);
    for (const [connId, ws] of [...this.#ws]) {
      const wt = ws.nextTimer();
      if (wt !== undefined && wt <= now) {
        ws.handleTimer(now);
        this.#drainWs(connId, ws, now);
      }
    }
    this.#route(now);
  }

  /** Which transport a live connection uses, or undefined. */
  transportOf(connId: string): Transport | undefined {
    return this.#ws.has(connId) ? 'websocket' : undefined;
  }

  /** Moves the broker's output onto TCP directly or into WebSocket frames, until nothing moves. */
  #route(now: Micros): void {
    // The broker's events (a packet in, a packet out) go before the frames that carry its output.
    this.#pullBrokerEvents();
    for (let out = this.broker.nextOutput(); out !== undefined; out = this.broker.nextOutput()) {
      const ws = this.#ws.get(out.connId);
      if (ws === undefined) {
        this.#outputs.push(out);
      } else if ('close' in out) {
        this.#open.delete(out.connId);
        // The broker closed the MQTT connection: close the WebSocket properly (1000).
        ws.close(1000, '', now);
        this.#drainWs(out.connId, ws, now);
      } else if (ws.state === 'OPEN') {
        ws.sendBinary(out.bytes, now);
        this.#drainWs(out.connId, ws, now);
      }
    }
    this.#pullBrokerEvents();
  }

  #pullBrokerEvents(): void {
    for (let ev = this.broker.nextEvent(); ev !== undefined; ev = this.broker.nextEvent()) this.#events.push(ev);
  }

  #drainWs(connId: string, ws: WsConnection, now: Micros): void {
    for (let ev = ws.nextEvent(); ev !== undefined; ev = ws.nextEvent()) {
      this.#events.push({ type: 'ws', connId, event: ev });
      switch (ev.type) {
        case 'open':
          this.#open.add(connId);
          this.broker.openConnection(connId, now);
          break;
        case 'message':
          if (!this.#open.has(connId)) break;
          if (!ev.message.binary) {
            // [MQTT-6.0.0-1]: MQTT travels in binary frames; a text frame closes the connection.
            this.#open.delete(connId);
            this.broker.connectionLost(connId, now);
            ws.close(1003, 'MQTT needs binary frames', now);
            break;
          }
          this.broker.receiveData(connId, ev.message.data, now);
          // The packets this frame carried come right after it in the events.
          this.#pullBrokerEvents();
          break;
        case 'closed':
          if (this.#open.delete(connId)) this.broker.connectionLost(connId, now);
          this.#ws.delete(connId);
          this.#flushWs(connId, ws);
          if (ev.tcp === 'end') this.#outputs.push({ connId, close: true });
          else if (ev.tcp === 'abort') this.#outputs.push({ connId, close: true, abort: true });
          return;
        default:
          break;
      }
    }
    this.#flushWs(connId, ws);
  }

  #flushWs(connId: string, ws: WsConnection): void {
    for (let bytes = ws.dataToSend(); bytes !== undefined; bytes = ws.dataToSend()) this.#outputs.push({ connId, bytes });
  }
}
