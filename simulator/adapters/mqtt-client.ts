/**
 * Attaches the sans-IO MQTT client engine to a real node:net socket, for the conformance tests
 * against aedes and mosquitto and for the CLI. This is the IO layer: it reads the clock
 * (performance.now as integer µs since the adapter started), keeps one timer at nextTimer(), and
 * closes the socket when the engine asks. Nagle stays on, as in mqtt.js.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { MqttClient, type ClientEvent, type MqttClientOptions, type PublishOptions } from '../protocols/mqtt/client.ts';
import type { Subscription } from '../protocols/mqtt/codec.ts';

export interface RealMqttClientOptions {
  host?: string;
  port: number;
  client: Partial<MqttClientOptions> & { clientId: string };
}

export class RealMqttClient {
  readonly client: MqttClient;
  /** Every event the engine produced, in order, packets included. */
  readonly events: ClientEvent[] = [];
  #socket: net.Socket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #start = performance.now();
  #waiters: Array<{ pred: (e: ClientEvent) => boolean; resolve: (e: ClientEvent) => void; from: number }> = [];

  constructor(readonly options: RealMqttClientOptions) {
    this.client = new MqttClient(options.client);
  }

  now(): number {
    return Math.round((performance.now() - this.#start) * 1000);
  }

  /** Opens a socket, sends CONNECT, resolves with the 'connected' (or refusal) event. */
  async open(): Promise<ClientEvent> {
    if (this.#socket !== undefined) throw new Error('already open');
    const from = this.events.length;
    const socket = net.connect(this.options.port, this.options.host ?? '127.0.0.1');
    this.#socket = socket;
    socket.on('data', (data: Buffer) => this.#step(() => this.client.receiveData(new Uint8Array(data.buffer, data.byteOffset, data.length), this.now())));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#step(() => this.client.connectionLost(this.now()));
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    this.#step(() => this.client.connect(this.now()));
    return this.waitFor((e) => e.type === 'connected' || e.type === 'disconnected', 5000, from);
  }

  publish(topic: string, payload: Uint8Array, options: PublishOptions = {}): number {
    let token = 0;
    this.#step(() => (token = this.client.publish(topic, payload, options, this.now())));
    return token;
  }

  subscribe(subscriptions: Subscription[]): Promise<ClientEvent> {
    let id = 0;
    const from = this.events.length;
    this.#step(() => (id = this.client.subscribe(subscriptions, this.now())));
    return this.waitFor((e) => e.type === 'subscribed' && e.messageId === id, 5000, from);
  }

  unsubscribe(topics: string[]): Promise<ClientEvent> {
    let id = 0;
    const from = this.events.length;
    this.#step(() => (id = this.client.unsubscribe(topics, this.now())));
    return this.waitFor((e) => e.type === 'unsubscribed' && e.messageId === id, 5000, from);
  }

  /** Graceful DISCONNECT, then the socket closes. */
  async disconnect(): Promise<void> {
    const socket = this.#socket;
    this.#step(() => this.client.disconnect(this.now()));
    if (socket !== undefined && !socket.destroyed) await new Promise<void>((r) => socket.once('close', () => r()));
  }

  /** Ungraceful: the socket is destroyed without DISCONNECT (the broker publishes the will). */
  async destroy(): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return;
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.destroy();
    await closed;
  }

  /** Resolves with the first event (from index `from`, default: any new one) that matches. */
  waitFor(pred: (e: ClientEvent) => boolean, timeoutMs = 5000, from = this.events.length): Promise<ClientEvent> {
    for (let i = from; i < this.events.length; i++) if (pred(this.events[i]!)) return Promise.resolve(this.events[i]!);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve: (e: ClientEvent) => { clearTimeout(t); resolve(e); }, from };
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for an MQTT client event`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Message events received so far. */
  messages(): Array<Extract<ClientEvent, { type: 'message' }>> {
    return this.events.filter((e): e is Extract<ClientEvent, { type: 'message' }> => e.type === 'message');
  }

  /** Runs an engine call, then writes its bytes, records its events and re-arms the timer. */
  #step(call: () => void): void {
    call();
    const bytes = this.client.dataToSend();
    const socket = this.#socket;
    if (bytes !== undefined && socket !== undefined && !socket.destroyed) socket.write(bytes);
    for (let e = this.client.nextEvent(); e !== undefined; e = this.client.nextEvent()) {
      this.events.push(e);
      if (e.type === 'close' && socket !== undefined) socket.end();
      for (const w of [...this.#waiters]) {
        if (w.pred(e)) {
          this.#waiters = this.#waiters.filter((x) => x !== w);
          w.resolve(e);
        }
      }
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const at = this.client.nextTimer();
    if (at !== undefined) {
      this.#timer = setTimeout(() => this.#step(() => this.client.handleTimer(this.now())), Math.max(0, Math.ceil((at - this.now()) / 1000)));
    }
  }

  /** Stops the timer and destroys the socket (test clean-up). */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#socket?.destroy();
  }
}
