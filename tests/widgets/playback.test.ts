import { describe, expect, it } from 'vitest';
import { frameAt, nextEventAfter } from '../../src/components/widgets/lib/playback.ts';
import type { WiredSystem } from '../../src/worker/course/types.ts';

const system: WiredSystem = {
  protocol: 'mqtt',
  nodes: [],
  links: [ { id: 's|b', a: 's', b: 'b', ab: { packets: 0, bytes: 0 }, ba: { packets: 0, bytes: 0 } } ],
  trips: [
    // one packet s -> b: s's uplink 0..100, then b's downlink 100..200
    { link: 0, dir: 'ab', half: 0, sentUs: 0, endUs: 100, bytes: 90, dropped: false, kind: 'data' },
    { link: 0, dir: 'ab', half: 1, sentUs: 100, endUs: 200, bytes: 90, dropped: false, kind: 'data' },
    // an ACK back, lost on b's uplink at 350
    { link: 0, dir: 'ba', half: 0, sentUs: 300, endUs: 350, bytes: 52, dropped: true, kind: 'control' },
  ],
  latencyMs: null, delivered: 0, sent: 0, lost: 0, fanoutPerReading: 0,
};

describe('frameAt', () => {
  it('counts a packet once per line, when it enters it, and moves its dot across both halves', () => {
    expect(frameAt(system, 50).dots).toEqual([{ link: 's|b', dir: 'ab', progress: 0.25, kind: 'data' }]);
    expect(frameAt(system, 150).dots).toEqual([{ link: 's|b', dir: 'ab', progress: 0.75, kind: 'data' }]);
    const at150 = frameAt(system, 150).links[0]!;
    expect(at150.ab).toEqual({ packets: 1, bytes: 90 });
    expect(at150.ba).toEqual({ packets: 0, bytes: 0 });
  });

  it('counts a dropped packet but stops drawing it where it was dropped', () => {
    expect(frameAt(system, 320).dots).toEqual([{ link: 's|b', dir: 'ba', progress: 0.2, kind: 'control' }]);
    expect(frameAt(system, 400).dots).toEqual([]);
    expect(frameAt(system, 400).links[0]!.ba).toEqual({ packets: 1, bytes: 52 });
  });

  it('draws no dots with reduced motion, but counts the same', () => {
    const f = frameAt(system, 150, false);
    expect(f.dots).toEqual([]);
    expect(f.links[0]!.ab.packets).toBe(1);
  });
});

describe('nextEventAfter', () => {
  it('finds the next start or end of a trip', () => {
    expect(nextEventAfter([system], 0)).toBe(100);
    expect(nextEventAfter([system], 200)).toBe(300);
    expect(nextEventAfter([system], 350)).toBeUndefined();
  });
});
