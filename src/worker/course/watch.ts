/**
 * How a course module's runs tell the page they are still working, so that the page's watchdog
 * (../client.ts) can tell a long run from a stuck one. The worker answers one `course(name, input,
 * onProgress)` call at a time, synchronously: while it does, `reportingTo` holds the call's
 * reporter, and every `runScenario` of the module passes its options through `watched`, which adds
 * two sources of progress:
 *
 * - the run's own `onProgress`, once per hundredth of simulated time;
 * - a counting sink that sees every packet on a link (and any record the run builds anyway): a
 *   fan-out of thousands of clients connecting in the first simulated milliseconds takes seconds
 *   of work while simulated time stands nearly still.
 *
 * The sink reads no record kind (`reads` is false), so it makes the run build nothing it would
 * not have built, and it takes link packets by their fields as the metrics do: the run's records,
 * metrics and answer are the same watched or not (tests/widgets/course/watch.test.ts). With no
 * reporter (the build's figures, the tests, the CLI), `watched` returns the options unchanged.
 */
import type { RunOptions } from '../../../simulator/runtime/run.ts';
import type { CourseProgress } from '../api.ts';

/** Packets and records between two reports from inside a slice of simulated time. */
export const EVENTS_PER_REPORT = 4096;

let reporter: ((p: CourseProgress) => void) | null = null;
let work = 0;

/** Runs `compute` with `report` receiving the progress of every run it makes through `watched` (one call at a time: the worker's). */
export function reportingTo<T>(report: ((p: CourseProgress) => void) | undefined, compute: () => T): T {
  reporter = report ?? null;
  work = 0;
  try {
    return compute();
  } finally {
    reporter = null;
  }
}

/** `options` for a course module's `runScenario`, reporting its progress when a call is watched. */
export function watched(options: RunOptions): RunOptions {
  const report = reporter;
  if (report === null) return options;
  let seen = 0;
  let fraction = 0;
  const tick = (): void => {
    if (++seen % EVENTS_PER_REPORT === 0) report({ work: ++work, fraction });
  };
  const heartbeat = {
    reads: (): boolean => false,
    emit: tick,
    linkPacket: tick,
  };
  return {
    ...options,
    sinks: [...(options.sinks ?? []), heartbeat],
    onProgress: (done: number) => {
      options.onProgress?.(done);
      fraction = done;
      report({ work: ++work, fraction });
    },
  };
}
