/**
 * Attaches the sans-IO broker (MqttBrokerFront: MqttBroker plus MQTT over WebSocket) to real
 * node:net sockets, for conformance tests against mqtt.js and for the CLI. This is IO: it reads
 * the clock (performance.now, as integer µs since start) and sets one timer at nextTimer().
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { BrokerOptions } from '../protocols/mqtt/broker.ts';
import { MqttBrokerFront, type FrontEvent, type Transport } from '../protocols/mqtt/broker-ws.ts';
import type { MqttBroker } from '../protocols/mqtt/broker.ts';

export interface RealMqttBroker {
  readonly broker: MqttBroker;
  /** The plain MQTT (TCP) port. */
  readonly port: number;
  /** The MQTT-over-WebSocket port, when `websocket` was asked for. */
  readonly wsPort: number | undefined;
  /** Every event the engines produced, in order (packets, session events, fan-out, ws). */
  readonly events: FrontEvent[];
  /** Calls `fn` for each new event (tests wait on these). */
  onEvent(fn: (event: FrontEvent) => void): void;
  /** Stops listening and destroys every open socket. */
  close(): Promise<void>;
}

export interface RealMqttBrokerOptions {
  host?: string;
  port?: number;
  /** Also listen for MQTT over WebSocket (on `wsPort`, default a free port). */
  websocket?: boolean;
  wsPort?: number;
  broker?: Partial<BrokerOptions>;
}

export async function startRealMqttBroker(options: RealMqttBrokerOptions = {}): Promise<RealMqttBroker> {
  const front = new MqttBrokerFront({ broker: options.broker });
  const start = performance.now();
  const now = () => Math.round((performance.now() - start) * 1000);
  const sockets = new Map<string, net.Socket>();
  const events: FrontEvent[] = [];
  const listeners: Array<(e: FrontEvent) => void> = [];
  let timer: NodeJS.Timeout | undefined;
  let nextId = 0;
  let stopped = false;

  const pump = () => {
    if (stopped) return;
    for (let out = front.nextOutput(); out !== undefined; out = front.nextOutput()) {
      const socket = sockets.get(out.connId);
      if (socket === undefined) continue;
      if ('close' in out) {
        sockets.delete(out.connId);
        if (out.abort) socket.destroy();
        else socket.end();
      } else {
        socket.write(out.bytes);
      }
    }
    for (let ev = front.nextEvent(); ev !== undefined; ev = front.nextEvent()) {
      events.push(ev);
      for (const fn of listeners) fn(ev);
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const at = front.nextTimer();
    if (at !== undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        front.handleTimer(now());
        pump();
      }, Math.max(0, Math.ceil((at - now()) / 1000)));
    }
  };

  const serve = (transport: Transport) => (socket: net.Socket) => {
    const connId = `${transport}-${++nextId}`;
    sockets.set(connId, socket);
    front.openConnection(connId, now(), transport);
    pump();
    socket.on('data', (data) => {
      front.receiveData(connId, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), now());
      pump();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      // Whether we closed it or the peer did, the engine is told; it ignores what it already forgot.
      sockets.delete(connId);
      front.connectionLost(connId, now());
      pump();
    });
  };

  const listen = async (server: net.Server, port: number): Promise<number> => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host ?? '127.0.0.1', () => resolve());
    });
    return (server.address() as net.AddressInfo).port;
  };
  const servers = [net.createServer(serve('tcp'))];
  const port = await listen(servers[0]!, options.port ?? 0);
  let wsPort: number | undefined;
  if (options.websocket) {
    servers.push(net.createServer(serve('websocket')));
    wsPort = await listen(servers[1]!, options.wsPort ?? 0);
  }
  return {
    broker: front.broker,
    port,
    wsPort,
    events,
    onEvent: (fn) => listeners.push(fn),
    close: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const socket of sockets.values()) socket.destroy();
      sockets.clear();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
