/** Chapter 6's widget state: the drawn schedule and settings, and the worker's answer (the edits: ./offlineSchedule.ts). */
import { OFFLINE_DEFAULTS, type DeviceOutage, type OfflineInput, type OfflineResult } from '../../../worker/course/offline-types.ts';
import type { SimError } from '../../../worker/client.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

export * from './offlineSchedule.ts';

export class OfflineState {
  input = $state<OfflineInput>(structuredClone(OFFLINE_DEFAULTS));
  side = $state<'mqtt' | 'ws'>('mqtt');
  readonly first = initialAnswer('offline');
  readonly task = courseTask('offline', { initial: this.first.value });
  #timer: ReturnType<typeof setTimeout> | undefined;

  get result(): OfflineResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get running(): boolean {
    return this.task.running;
  }

  /** Asks the worker for the current input (after `delayMs`, so dragging or holding a key runs once). */
  refresh(delayMs = 0): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#run(), delayMs);
  }

  async #run(): Promise<void> {
    const input = $state.snapshot(this.input) as OfflineInput;
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    await this.task.request(input);
  }

  set(patch: Partial<OfflineInput>): void {
    this.input = { ...this.input, ...patch };
  }

  setOutages(outages: DeviceOutage[]): void {
    this.input = { ...this.input, outages };
  }
}
