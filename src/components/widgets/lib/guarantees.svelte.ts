/** Chapter 5's widget state: the experiment's inputs, the worker's answer, and what the diagram shows. */
import { GUARANTEES_DEFAULTS, type GuaranteesInput, type GuaranteesResult, type SequenceWindow, type Strategy } from '../../../worker/course/guarantees-types.ts';
import type { SimError } from '../../../worker/client.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

export const STRATEGY_NAMES: Record<Strategy, string> = {
  qos0: 'MQTT QoS 0',
  qos1: 'MQTT QoS 1',
  qos2: 'MQTT QoS 2',
  'ws-raw': 'WebSocket, raw',
  'ws-acks': 'WebSocket + acks',
  'ws-resume': 'WebSocket + acks + resume',
};

export const STRATEGY_HINTS: Record<Strategy, string> = {
  qos0: 'At most once: no acknowledgement, nothing kept.',
  qos1: 'At least once: kept until PUBACK, resent on reconnect.',
  qos2: 'Exactly once: PUBREC, PUBREL, PUBCOMP.',
  'ws-raw': 'No reconnect, no acknowledgements: what the protocol gives.',
  'ws-acks': "The sensor keeps each reading until the server's ack and reconnects; the dashboard reconnects.",
  'ws-resume': "As with acks, and the server buffers for the dashboard, which resumes from its last reading.",
};

export type WindowId = SequenceWindow['id'];

export class GuaranteesState {
  /** Starts at the module's defaults (the build computed the answer for exactly these). */
  input = $state<GuaranteesInput>({ ...GUARANTEES_DEFAULTS });
  windowId = $state<WindowId>('one');
  selectedId = $state<string | null>(null);
  /** The answer at the defaults, computed when the site was built. */
  readonly first = initialAnswer('guarantees');
  readonly task = courseTask('guarantees', { initial: this.first.value });

  get result(): GuaranteesResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get running(): boolean {
    return this.task.running;
  }

  readonly window: SequenceWindow | null = $derived(this.result?.windows.find((w) => w.id === this.windowId) ?? this.result?.windows[0] ?? null);
  readonly selected = $derived(this.window?.messages.find((m) => m.id === this.selectedId) ?? null);

  async refresh(): Promise<void> {
    const input = $state.snapshot(this.input);
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    const result = await this.task.request(input);
    if (!result) return;
    if (!result.windows.some((w) => w.id === this.windowId)) this.windowId = 'one';
    if (this.selectedId && !this.window?.messages.some((m) => m.id === this.selectedId)) this.selectedId = null;
  }

  set(patch: Partial<GuaranteesInput>): void {
    this.input = { ...this.input, ...patch };
  }
}
