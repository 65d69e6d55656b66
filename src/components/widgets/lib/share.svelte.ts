/** Chapter 10's job-stream widget state: the reader's settings and the worker's answer (the `share` course module). */
import { SHARE_DEFAULTS } from '../../../worker/course/share-scenario.ts';
import { CourseState } from './courseState.svelte.ts';

export class ShareState extends CourseState<'share'> {
  constructor() {
    super('share', SHARE_DEFAULTS);
  }
}
