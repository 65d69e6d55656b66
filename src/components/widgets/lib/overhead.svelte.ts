/**
 * Chapter 3's widget state: the reader's inputs, and the engines' answer for them (replaced
 * whole, so `$state.raw`). The newest request wins: an answer to an older input is dropped.
 */
import type { OverheadInput, OverheadResult, MqttVersionName } from '../../../worker/course/types.ts';
import type { SimError } from '../../../worker/client.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

export type Layer = OverheadInput['layer'];

export const OVERHEAD_LIMITS = { payloadMax: 70_000, topicMin: 1, topicMax: 200 } as const;

export class OverheadState {
  payloadBytes = $state(20);
  topicLength = $state(14);
  qos = $state<0 | 1 | 2>(0);
  version = $state<MqttVersionName>('3.1.1');
  layer = $state<Layer>('tcpip');
  /** What the chart's y axis shows: all bytes on the wire, or only those beyond the payload. */
  measure = $state<'total' | 'overhead'>('overhead');
  /** The answer at the defaults, computed when the site was built. */
  readonly first = initialAnswer('overhead');
  readonly task = courseTask('overhead', { initial: this.first.value });

  get result(): OverheadResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get input(): OverheadInput {
    return {
      payloadBytes: clampInt(this.payloadBytes, 0, OVERHEAD_LIMITS.payloadMax),
      topicLength: clampInt(this.topicLength, OVERHEAD_LIMITS.topicMin, OVERHEAD_LIMITS.topicMax),
      qos: this.qos,
      mqttVersion: this.version,
      layer: this.layer,
    };
  }

  /** Asks the worker for the current input's frames, packet and chart data. */
  async refresh(): Promise<void> {
    const input = this.input;
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    await this.task.request(input);
  }
}

/** An integer within [min, max]; NaN (an empty number field) becomes min. */
export function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}
