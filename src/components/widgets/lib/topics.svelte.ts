/**
 * Chapter 8's topic explorer state: the reader's topic tree and filters, and the worker's answer
 * (the `topics` course module: the simulator's broker decides who receives what). Typing asks the
 * worker after a short pause; the newest answer wins.
 */
import type { SimError } from '../../../worker/client.ts';
import { TOPICS_DEFAULTS, type TopicsInput, type TopicsResult } from '../../../worker/course/topics-types.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

/** The widget's starting input: the course module's defaults (the build's answer is for them). */
export const TOPICS_START: TopicsInput = TOPICS_DEFAULTS;

/** Pause after a keystroke before the worker is asked, ms. */
const TYPING_PAUSE_MS = 250;

export class TopicsState {
  topics = $state(TOPICS_START.topics);
  filters = $state(TOPICS_START.filters);
  version = $state<TopicsInput['version']>(TOPICS_START.version);
  rounds = $state(TOPICS_START.rounds);
  readonly first = initialAnswer('topics');
  readonly task = courseTask('topics', { initial: this.first.value });
  #timer: ReturnType<typeof setTimeout> | undefined;

  get result(): TopicsResult | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get input(): TopicsInput {
    return { topics: this.topics, filters: this.filters, version: this.version, rounds: this.rounds };
  }

  /** Asks the worker once typing pauses (at once with `now`). */
  refresh(now = false): void {
    const input = this.input;
    clearTimeout(this.#timer);
    if (!this.task.running && sameInput(input, this.task.result?.input)) return;
    if (now) void this.task.request(input);
    else this.#timer = setTimeout(() => void this.task.request(input), TYPING_PAUSE_MS);
  }
}
