/** Chapter 10's job-stream widget state: the reader's settings and the worker's answer (the `share` course module). */
import { SHARE_DEFAULTS, type ShareInput, type ShareResult } from '../../../worker/course/share-scenario.ts';
import type { SimError } from '../../../worker/client.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

export class ShareState {
  /** Starts at the module's defaults (the build computed the answer for exactly these). */
  input = $state<ShareInput>({ ...SHARE_DEFAULTS });
  readonly first = initialAnswer('share');
  readonly task = courseTask('share', { initial: this.first.value });

  get result(): ShareResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  async refresh(): Promise<void> {
    const input = $state.snapshot(this.input);
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    await this.task.request(input);
  }

  set(patch: Partial<ShareInput>): void {
    this.input = { ...this.input, ...patch };
  }
}
