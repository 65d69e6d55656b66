/**
 * Attaches the sans-IO MqttBroker to real node:net sockets, for conformance tests against mqtt.js
 * and for the CLI. This is IO: it reads the clock (performance.now, as integer µs since start) and
 * sets one timer at the engine's nextTimer().
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { MqttBroker, type BrokerEvent, type BrokerOptions } from '../protocols/mqtt/broker.ts';

export interface RealMqttBroker {
  readonly broker: MqttBroker;
  readonly port: number;
  /** Every event the engine produced, in order (packets, session events, fan-out). */
  readonly events: BrokerEvent[];
  /** Calls `fn` for each new event (tests wait on these). */
  onEvent(fn: (event: BrokerEvent) => void): void;
  /** Stops listening and destroys every open socket. */
  close(): Promise<void>;
}

export interface RealMqttBrokerOptions {
  host?: string;
  port?: number;
  broker?: Partial<BrokerOptions>;
}

export async function startRealMqttBroker(options: RealMqttBrokerOptions = {}): Promise<RealMqttBroker> {
  const broker = new MqttBroker(options.broker);
  const start = performance.now();
  const now = () => Math.round((performance.now() - start) * 1000);
  const sockets = new Map<string, net.Socket>();
  const events: BrokerEvent[] = [];
  const listeners: Array<(e: BrokerEvent) => void> = [];
  let timer: NodeJS.Timeout | undefined;
  let nextId = 0;

  const pump = () => {
    for (let out = broker.nextOutput(); out !== undefined; out = broker.nextOutput()) {
      const socket = sockets.get(out.connId);
      if (socket === undefined) continue;
      if ('close' in out) {
        sockets.delete(out.connId);
        socket.end();
      } else {
        socket.write(out.bytes);
      }
    }
    for (let ev = broker.nextEvent(); ev !== undefined; ev = broker.nextEvent()) {
      events.push(ev);
      for (const fn of listeners) fn(ev);
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const at = broker.nextTimer();
    if (at !== undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        broker.handleTimer(now());
        pump();
      }, Math.max(0, Math.ceil((at - now()) / 1000)));
    }
  };

  const server = net.createServer((socket) => {
    const connId = `tcp-${++nextId}`;
    sockets.set(connId, socket);
    broker.openConnection(connId, now());
    socket.on('data', (data) => {
      broker.receiveData(connId, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), now());
      pump();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (sockets.delete(connId)) {
        broker.connectionLost(connId, now());
        pump();
      } else {
        // We closed it; the engine has already forgotten it.
        broker.connectionLost(connId, now());
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    broker,
    port,
    events,
    onEvent: (fn) => listeners.push(fn),
    close: () =>
      new Promise<void>((resolve) => {
        if (timer !== undefined) clearTimeout(timer);
        for (const socket of sockets.values()) socket.destroy();
        sockets.clear();
        server.close(() => resolve());
      }),
  };
}
