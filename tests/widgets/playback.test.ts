import { describe, expect, it } from 'vitest';
import { frameAt, nextEventAfter, previousEventBefore } from '../../src/components/widgets/lib/playback.ts';
import type { WiredSystem } from '../../src/worker/course/types.ts';

const system: WiredSystem = {
  protocol: 'mqtt',
  nodes: [],
  links: [ { id: 's|b', a: 's', b: 'b', ab: { packets: 0, bytes: 0 }, ba: { packets: 0, bytes: 0 } } ],
  trips: [
    // one packet s -> b: s's uplink 0..100, then b's downlink 100..200
    { link: 0, dir: 'ab', half: 0, sentUs: 0, endUs: 100, bytes: 90, dropped: false, kind: 'data', readings: [0] },
    { link: 0, dir: 'ab', half: 1, sentUs: 100, endUs: 200, bytes: 90, dropped: false, kind: 'data', readings: [0] },
    // an ACK back, lost on b's uplink at 350
    { link: 0, dir: 'ba', half: 0, sentUs: 300, endUs: 350, bytes: 52, dropped: true, kind: 'control' },
  ],
  latencyMs: null, delivered: 0, sent: 0, fanoutPerReading: 0,
  readings: [], outcomes: { delivered: 0, 'on-the-way': 0, 'not-sent': 0, missed: 0 }, sensorOpenUs: 0, sensorSynRetries: 0,
};

describe('frameAt', () => {
  it('draws the packets of the followed reading highlighted, and no other', () => {
    expect(frameAt(system, 50, true, 0).dots).toEqual([{ link: 's|b', dir: 'ab', progress: 0.25, kind: 'data', highlight: true }]);
    expect(frameAt(system, 50, true, 1).dots).toEqual([{ link: 's|b', dir: 'ab', progress: 0.25, kind: 'data' }]);
    expect(frameAt(system, 320, true, 0).dots).toEqual([{ link: 's|b', dir: 'ba', progress: 0.2, kind: 'control' }]);
  });

  it('counts a packet as on the way over both halves of its line, and as arrived once the second half ends', () => {
    expect(frameAt(system, 50).dots).toEqual([{ link: 's|b', dir: 'ab', progress: 0.25, kind: 'data' }]);
    expect(frameAt(system, 150).dots).toEqual([{ link: 's|b', dir: 'ab', progress: 0.75, kind: 'data' }]);
    // At 50 on s's uplink, at 150 on b's downlink: one on the way, none arrived.
    expect(frameAt(system, 50).links[0]!.ab).toEqual({ packets: 0, bytes: 0, inFlight: 1, dropped: 0 });
    expect(frameAt(system, 150).links[0]!.ab).toEqual({ packets: 0, bytes: 0, inFlight: 1, dropped: 0 });
    // At 100 it leaves the first half and enters the second: still one, not two.
    expect(frameAt(system, 100).links[0]!.ab.inFlight).toBe(1);
    // From 200 it has arrived with its 90 bytes.
    expect(frameAt(system, 200).links[0]!.ab).toEqual({ packets: 1, bytes: 90, inFlight: 0, dropped: 0 });
    expect(frameAt(system, 150).links[0]!.ba).toEqual({ packets: 0, bytes: 0, inFlight: 0, dropped: 0 });
  });

  it('counts a dropped packet as dropped, never as arrived, and stops drawing it where it was dropped', () => {
    expect(frameAt(system, 320).dots).toEqual([{ link: 's|b', dir: 'ba', progress: 0.2, kind: 'control' }]);
    expect(frameAt(system, 320).links[0]!.ba).toEqual({ packets: 0, bytes: 0, inFlight: 1, dropped: 0 });
    expect(frameAt(system, 400).dots).toEqual([]);
    expect(frameAt(system, 400).links[0]!.ba).toEqual({ packets: 0, bytes: 0, inFlight: 0, dropped: 1 });
  });

  it('draws no dots with reduced motion, but counts the same', () => {
    const f = frameAt(system, 150, false);
    expect(f.dots).toEqual([]);
    expect(f.links[0]!.ab.inFlight).toBe(1);
  });
});

describe('nextEventAfter', () => {
  it('finds the next start or end of a trip', () => {
    expect(nextEventAfter([system], 0)).toBe(100);
    expect(nextEventAfter([system], 200)).toBe(300);
    expect(nextEventAfter([system], 350)).toBeUndefined();
  });
  it('finds the last start or end of a trip before a moment, for stepping back', () => {
    expect(previousEventBefore([system], 350)).toBe(300);
    expect(previousEventBefore([system], 300)).toBe(200);
    expect(previousEventBefore([system], 0)).toBeUndefined();
  });
});
