/**
 * Chapter 8's topic explorer state: the reader's topic tree and filters, and the worker's answer
 * (the `topics` course module: the simulator's broker decides who receives what). Typing asks the
 * worker after a short pause; the newest answer wins.
 */
import type { SimError } from '../../../worker/client.ts';
import type { TopicsInput, TopicsResult } from '../../../worker/course/topics-types.ts';
import { courseTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput } from './initial.ts';

/** The widget's starting input: the course module's defaults (topics-types.ts TOPICS_DEFAULTS). */
export const TOPICS_START: TopicsInput = {
  topics: 'sport/tennis/player1\nsport/tennis/player1/ranking\nsport/tennis/player2\nsport\nsport/\n/finance\n$SYS/monitor/Clients\nsensors/kitchen/temp\nsensors/garden/temp',
  filters: 'sport/tennis/player1/#\nsport/tennis/+\nsport/+\n+/+\n#\n$SYS/#\n$share/dash/sensors/+/temp\n$share/dash/sensors/+/temp',
  version: '5',
  rounds: 1,
};

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
