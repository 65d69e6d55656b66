/** Chapter 2's widget state: inputs, the worker's timelines, and the step-through position. */
import type { HandshakeMessage, HandshakeResult, HandshakeTimeline, MqttVersionName } from '../../../worker/course/types.ts';
import type { SimError } from '../../../worker/client.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

export type ProtocolView = 'websocket' | 'mqtt';

/** The link-rate slider's stops, kbit/s; the last one means "no limit" (sent to the worker as 0). */
export const RATE_STOPS = [9.6, 19.2, 56, 128, 256, 1000, 10_000, 100_000] as const;
export const NO_LIMIT = RATE_STOPS[RATE_STOPS.length - 1]!;

export class HandshakeState {
  latencyMs = $state(50);
  tls = $state(false);
  version = $state<MqttVersionName>('3.1.1');
  /** MQTT client writes PUBLISH right after CONNECT (the spec allows it; mqtt.js waits). */
  pipelining = $state(false);
  /** MQTT client and broker set TCP_NODELAY (mqtt.js does not; mosquitto only when configured). */
  noDelay = $state(false);
  /** The client's link rate, kbit/s; NO_LIMIT stands for no limit. */
  rateKbps = $state<number>(NO_LIMIT);
  view = $state<ProtocolView>('websocket');
  /** How many packets the diagram shows; Infinity shows all. */
  step = $state(Infinity);
  selectedId = $state<string | null>(null);
  /** The answer at the defaults, computed when the site was built. */
  readonly first = initialAnswer('handshake');
  readonly task = courseTask('handshake', { initial: this.first.value });

  get result(): HandshakeResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  readonly timeline: HandshakeTimeline | null = $derived(this.result ? this.result[this.view] : null);
  readonly count: number = $derived(this.timeline?.messages.length ?? 0);
  readonly visible: number = $derived(Math.min(this.step, this.count));
  readonly selected: HandshakeMessage | null = $derived(this.timeline?.messages.find((m) => m.id === this.selectedId) ?? null);

  async refresh(): Promise<void> {
    const input = {
      latencyMs: this.latencyMs, tls: this.tls, mqttVersion: this.version, mqttPipelining: this.pipelining, mqttNoDelay: this.noDelay,
      bandwidthKbps: this.rateKbps >= NO_LIMIT ? 0 : this.rateKbps,
    };
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    const result = await this.task.request(input);
    if (result && this.selectedId && !result[this.view].messages.some((m) => m.id === this.selectedId)) this.selectedId = null;
  }

  next(): void {
    this.step = Math.min(this.count, (Number.isFinite(this.step) ? this.step : this.count) + 1);
    if (this.step >= this.count) this.step = Infinity;
    this.#selectLastVisible();
  }

  previous(): void {
    this.step = Math.max(0, (Number.isFinite(this.step) ? this.step : this.count) - 1);
    this.#selectLastVisible();
  }

  restart(): void {
    this.step = 0;
    this.selectedId = null;
  }

  showAll(): void {
    this.step = Infinity;
  }

  select(id: string): void {
    this.selectedId = id;
  }

  #selectLastVisible(): void {
    const shown = this.timeline?.messages.slice(0, this.visible) ?? [];
    this.selectedId = shown.at(-1)?.id ?? null;
  }
}
