/**
 * A course widget's state, once: the reader's input (starting at the module's defaults, for which
 * the build computed the first answer), the answer carried in the page, and the worker task that
 * answers any other input. Chapters 7, 10 and 11's widgets (and any like them) are one line each:
 *
 *   export class AliveState extends CourseState<'alive'> { constructor() { super('alive', ALIVE_DEFAULTS); } }
 */
import type { CourseInput, CourseName, CourseOutput } from '../../../worker/api.ts';
import type { SimError } from '../../../worker/client.ts';
import { courseTask, type WorkerTask } from '../../../worker/task.svelte.ts';
import { initialAnswer, sameInput, type InitialAnswer } from './initial.ts';

export class CourseState<K extends CourseName> {
  /** The reader's settings; replaced whole by `set`. */
  input = $state() as CourseInput<K>;
  /** The answer at the defaults, computed when the site was built. */
  readonly first: InitialAnswer<CourseOutput<K>>;
  readonly task: WorkerTask<CourseInput<K>, CourseOutput<K>>;

  constructor(name: K, defaults: CourseInput<K>) {
    this.input = { ...defaults };
    this.first = initialAnswer(name);
    this.task = courseTask(name, { initial: this.first.value });
  }

  get result(): CourseOutput<K> | null {
    return this.task.result;
  }

  get error(): SimError | null {
    return this.task.error;
  }

  get running(): boolean {
    return this.task.running;
  }

  /** Asks the worker for the current input, unless the answer shown is already for it. */
  async refresh(): Promise<void> {
    const input = $state.snapshot(this.input) as CourseInput<K>;
    if (!this.task.running && sameInput(input, (this.task.result as { input?: object } | null)?.input)) return;
    await this.task.request(input);
  }

  set(patch: Partial<CourseInput<K>>): void {
    this.input = { ...this.input, ...patch };
  }
}
