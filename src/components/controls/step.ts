/**
 * Where a playback step lands: the next (or previous) moment something happens when the widget
 * gives its events (chapter 1: a packet leaves or arrives), else a fixed step; never past the
 * timeline's ends.
 */
export type StepEvents = (t: number, direction: 1 | -1) => number | undefined;

export function stepTarget(position: number, duration: number, direction: 1 | -1, stepUs: number, events: StepEvents | null): number {
  const to = events ? (events(position, direction) ?? (direction > 0 ? duration : 0)) : position + direction * stepUs;
  return Math.round(Math.min(Math.max(0, to), duration));
}
