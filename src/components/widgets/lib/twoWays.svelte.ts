/** Chapter 1's widget state: network settings and seed, the worker's run, and the playback clock. */
import { PlaybackClock } from '../../controls/playback.svelte.ts';
import { nextEventAfter, previousEventBefore } from './playback.ts';
import { DEFAULT_NETWORK, type NetworkSettings } from '../../../lib/network.ts';
import type { TwoWaysInput, TwoWaysResult } from '../../../worker/course/types.ts';
import type { SimError } from '../../../worker/client.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

/** The widget's defaults; the worker's chapter-1 figures use the same (TWO_WAYS_DEFAULTS). */
export const TWO_WAYS_START = { latencyMs: 20, lossPct: 0, seed: 1, everyMs: 1000, payloadBytes: 20, durationS: 6, mqttNoDelay: false } as const;

/** The readings-per-second slider's stops. */
export const RATES = [1, 2, 5, 10, 20] as const;

export class TwoWaysState {
  network = $state<NetworkSettings>({ ...DEFAULT_NETWORK, latencyMs: TWO_WAYS_START.latencyMs, lossPct: TWO_WAYS_START.lossPct });
  seed = $state<number>(TWO_WAYS_START.seed);
  /** Readings per second from the sensor. */
  ratePerS = $state<number>(1000 / TWO_WAYS_START.everyMs);
  /** TCP_NODELAY on the MQTT sensor, broker and dashboards (mqtt.js and mosquitto leave Nagle on). */
  mqttNoDelay = $state<boolean>(TWO_WAYS_START.mqttNoDelay);
  /** The reading whose packets are highlighted (index), or -1 for none. */
  follow = $state<number>(-1);
  /** The run at the defaults, computed when the site was built. */
  readonly first = initialAnswer('twoWays');
  readonly task = courseTask('twoWays', { initial: this.first.value });
  readonly clock = new PlaybackClock({ speed: 0.5, stepUs: 10_000, duration: this.first.value?.durationUs ?? 0 });

  get result(): TwoWaysResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get input(): TwoWaysInput {
    return {
      ...TWO_WAYS_START, latencyMs: this.network.latencyMs, lossPct: this.network.lossPct, seed: this.seed,
      everyMs: Math.round(1000 / this.ratePerS), mqttNoDelay: this.mqttNoDelay,
    };
  }

  /** Runs both wirings in the worker; keeps the clock's position when it still fits. */
  async run(keepPosition = false): Promise<void> {
    const input = this.input;
    if (!this.task.running && sameInput(input, this.task.result?.input)) {
      if (!keepPosition) this.clock.seek(0);
      return;
    }
    const result = await this.task.request(input);
    if (!result) return;
    this.clock.duration = result.durationUs;
    if (this.follow >= result.mqtt.readings.length) this.follow = -1;
    // "Step" goes to the next moment a packet leaves or arrives (in either picture), not 10 ms on.
    const systems = [result.mqtt, result.websocket];
    this.clock.events = (t, direction) => (direction > 0 ? nextEventAfter(systems, t) : previousEventBefore(systems, t));
    if (!keepPosition) this.clock.seek(0);
  }
}
