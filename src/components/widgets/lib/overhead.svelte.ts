/**
 * Chapter 3's widget state: the reader's inputs, and the engines' answer for them (replaced
 * whole, so `$state.raw`). The newest request wins: an answer to an older input is dropped.
 */
import type { OverheadInput, OverheadResult, MqttVersionName } from '../../../worker/course/types.ts';
import { sharedClient, SimError } from '../../../worker/client.ts';

export type Layer = OverheadInput['layer'];

/**
 * Payload sizes on the chart's x axis: every byte to 130 (the 7-bit length ends at 125), every
 * byte around one full TCP segment, every 25 bytes to 3,000, plus the reader's own size.
 */
export function overheadSweep(payloadBytes: number): number[] {
  const sizes = new Set<number>();
  for (let n = 0; n <= 130; n++) sizes.add(n);
  for (let n = 1380; n <= 1460; n++) sizes.add(n);
  for (let n = 150; n <= 3000; n += 25) sizes.add(n);
  sizes.add(payloadBytes);
  return [...sizes].sort((a, b) => a - b);
}

export const OVERHEAD_LIMITS = { payloadMax: 70_000, topicMin: 1, topicMax: 200 } as const;

export class OverheadState {
  payloadBytes = $state(20);
  topicLength = $state(14);
  qos = $state<0 | 1 | 2>(0);
  version = $state<MqttVersionName>('3.1.1');
  layer = $state<Layer>('tcpip');
  /** What the chart's y axis shows: all bytes on the wire, or only those beyond the payload. */
  measure = $state<'total' | 'overhead'>('overhead');
  result = $state.raw<OverheadResult | null>(null);
  error = $state.raw<SimError | null>(null);
  #generation = 0;

  get input(): OverheadInput {
    return {
      payloadBytes: clampInt(this.payloadBytes, 0, OVERHEAD_LIMITS.payloadMax),
      topicLength: clampInt(this.topicLength, OVERHEAD_LIMITS.topicMin, OVERHEAD_LIMITS.topicMax),
      qos: this.qos,
      mqttVersion: this.version,
      layer: this.layer,
      sweep: overheadSweep(clampInt(this.payloadBytes, 0, OVERHEAD_LIMITS.payloadMax)),
    };
  }

  /** Asks the worker for the current input's frames, packet and chart data. */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    const input = this.input;
    try {
      const result = await sharedClient().call((api) => api.courseOverhead(input));
      if (generation !== this.#generation) return;
      this.result = result;
      this.error = null;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = error instanceof SimError ? error : new SimError('failed', String(error));
    }
  }
}

/** An integer within [min, max]; NaN (an empty number field) becomes min. */
export function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}
