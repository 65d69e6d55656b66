/**
 * Playback steps go to the next moment something happens when the widget gives its events
 * (chapter 1: a packet leaves or arrives), instead of a fixed 10 ms.
 */
import { describe, expect, it } from 'vitest';
import { stepTarget, type StepEvents } from '../../src/components/controls/step.ts';

const events = [120, 400, 950];
const byEvent: StepEvents = (t, direction) => (direction > 0 ? events.find((e) => e > t) : events.filter((e) => e < t).at(-1));

describe('stepTarget', () => {
  it('moves a fixed step without events, within the timeline', () => {
    expect([stepTarget(0, 1000, 1, 10, null), stepTarget(995, 1000, 1, 10, null), stepTarget(5, 1000, -1, 10, null)]).toEqual([10, 1000, 0]);
  });

  it('goes to the next or previous event, and to the end or start when there is none that way', () => {
    expect([stepTarget(0, 1000, 1, 10, byEvent), stepTarget(120, 1000, 1, 10, byEvent), stepTarget(400, 1000, -1, 10, byEvent)]).toEqual([120, 400, 120]);
    expect([stepTarget(960, 1000, 1, 10, byEvent), stepTarget(100, 1000, -1, 10, byEvent)]).toEqual([1000, 0]);
  });
});
