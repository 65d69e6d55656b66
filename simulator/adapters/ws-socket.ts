/**
 * Attaches the sans-IO WsConnection to a real node:net socket, for conformance tests against `ws`
 * and for the CLI. This is the IO layer: it reads the clock (performance.now as integer µs since
 * the adapter started), sets one timer at the engine's nextTimer(), draws masking keys from
 * node:crypto, and does with the socket what a `closed` event says (end, destroy, nothing).
 * Like `ws`, it sets TCP_NODELAY.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { WsConnection, type WsConnectionOptions, type WsEvent } from '../protocols/websocket/connection.ts';

export type WsAdapterOptions = Omit<WsConnectionOptions, 'role' | 'random'> & Partial<Pick<WsConnectionOptions, 'random'>>;

export class WsSocketAdapter {
  readonly engine: WsConnection;
  /** Every event the engine produced, in order. */
  readonly events: WsEvent[] = [];
  #listeners: Array<(e: WsEvent) => void> = [];
  #waiters: Array<{ match: (e: WsEvent) => boolean; resolve: (e: WsEvent) => void; reject: (e: Error) => void; seen: number }> = [];
  #timer: NodeJS.Timeout | undefined;
  #start = performance.now();
  #socketClosed = false;

  constructor(
    readonly socket: net.Socket,
    role: 'client' | 'server',
    options: WsAdapterOptions = {},
  ) {
    this.engine = new WsConnection({ random: (n) => new Uint8Array(randomBytes(n)), ...options, role });
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      this.engine.receiveData(new Uint8Array(data.buffer, data.byteOffset, data.length), this.now());
      this.#pump();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#socketClosed = true;
      this.engine.connectionLost(this.now());
      this.#pump();
      if (this.#timer) clearTimeout(this.#timer);
      for (const w of this.#waiters.splice(0)) w.reject(new Error('the socket closed before the awaited event'));
    });
  }

  now(): number {
    return Math.round((performance.now() - this.#start) * 1000);
  }

  /** Client: send the opening handshake once the socket is connected. */
  start(): void {
    this.engine.start(this.now());
    this.#pump();
  }

  /** Runs an engine call (send, ping, close...) and flushes what it produced. */
  act(fn: (engine: WsConnection, now: number) => void): void {
    fn(this.engine, this.now());
    this.#pump();
  }

  onEvent(fn: (e: WsEvent) => void): void {
    this.#listeners.push(fn);
  }

  /** The first event (already seen or still to come) matching `match`, after `skip` earlier matches. */
  waitFor(match: (e: WsEvent) => boolean, skip = 0): Promise<WsEvent> {
    const found = this.events.filter(match);
    if (found.length > skip) return Promise.resolve(found[skip]!);
    if (this.#socketClosed) return Promise.reject(new Error('the socket is closed'));
    return new Promise((resolve, reject) => this.#waiters.push({ match, resolve, reject, seen: found.length - skip }));
  }

  /** Destroys the socket (tests' cleanup). */
  destroy(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.socket.destroy();
  }

  #pump(): void {
    for (;;) {
      const out = this.engine.dataToSend();
      if (out && !this.socket.destroyed) this.socket.write(out);
      const e = this.engine.nextEvent();
      if (!out && !e) break;
      if (!e) continue;
      this.events.push(e);
      for (const l of this.#listeners) l(e);
      for (const w of [...this.#waiters]) {
        if (!w.match(e)) continue;
        if (w.seen < 0) {
          w.seen++;
          continue;
        }
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(e);
      }
      if (e.type === 'closed') {
        if (e.tcp === 'end') this.socket.end();
        else if (e.tcp === 'abort') this.socket.destroy();
      }
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const at = this.engine.nextTimer();
    if (at !== undefined && !this.#socketClosed) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.engine.handleTimer(Math.max(at, this.now()));
        this.#pump();
      }, Math.max(0, (at - this.now()) / 1000));
    }
  }
}

/** Connects the engine's client to a WebSocket server at host:port and sends the handshake. */
export function connectWsClient(port: number, options: WsAdapterOptions & { hostname?: string } = {}): Promise<WsSocketAdapter> {
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port }, () => {
      socket.off('error', reject);
      const adapter = new WsSocketAdapter(socket, 'client', { host: `${hostname}:${port}`, ...options });
      adapter.start();
      resolve(adapter);
    });
    socket.once('error', reject);
  });
}

export interface RealWsServer {
  readonly port: number;
  /** One adapter per accepted connection, in order. */
  readonly connections: WsSocketAdapter[];
  /** Resolves with the n-th (0-based) accepted connection. */
  connection(n?: number): Promise<WsSocketAdapter>;
  close(): Promise<void>;
}

/** The engine's server on 127.0.0.1 (port 0 = a free one). */
export function startWsServer(
  options: WsAdapterOptions & { port?: number; onConnection?: (adapter: WsSocketAdapter) => void } = {},
): Promise<RealWsServer> {
  const { onConnection, port: listenPort, ...engineOptions } = options;
  const connections: WsSocketAdapter[] = [];
  const waiting: Array<{ n: number; resolve: (a: WsSocketAdapter) => void }> = [];
  const server = net.createServer((socket) => {
    const adapter = new WsSocketAdapter(socket, 'server', engineOptions);
    connections.push(adapter);
    onConnection?.(adapter);
    for (const w of waiting.filter((w) => w.n < connections.length)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(connections[w.n]!);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort ?? 0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        connections,
        connection: (n = 0) =>
          n < connections.length ? Promise.resolve(connections[n]!) : new Promise((r) => waiting.push({ n, resolve: r })),
        close: () =>
          new Promise<void>((r) => {
            for (const c of connections) c.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
