/** Chapter 6's schedule edits (the timeline's and its table twin's rules). */
import { describe, expect, it } from 'vitest';
import { addOutage, describeOutage, moveOutage, removeOutage, resizeOutage, resizeStart, toggleKind } from '../../src/components/widgets/lib/offlineSchedule.ts';
import type { DeviceOutage } from '../../src/worker/course/offline-types.ts';

const phone = (atS: number, forS: number, kind: DeviceOutage['kind'] = 'off'): DeviceOutage => ({ device: 'phone', atS, forS, kind });
const S: DeviceOutage[] = [phone(10, 10), phone(30, 5), { device: 'door', atS: 12, forS: 20, kind: 'network' }];

describe('the schedule edits', () => {
  it('move an outage in whole seconds, stopping at a neighbour of the same device and at the ends', () => {
    expect(moveOutage(S, 0, 13.4)[0]).toEqual(phone(13, 10));
    // 10 s long, the next phone outage starts at 30: it may start at 20 at most (the door's does not count).
    expect(moveOutage(S, 0, 25)[0]).toEqual(phone(20, 10));
    expect(moveOutage(S, 0, -5)[0]).toEqual(phone(0, 10));
    expect(moveOutage(S, 1, 70)[1]).toEqual(phone(55, 5));
  });

  it('resize an outage from either end, at least one second long, not into a neighbour', () => {
    expect(resizeOutage(S, 0, 25)[0]).toEqual(phone(10, 15));
    expect(resizeOutage(S, 0, 40)[0]).toEqual(phone(10, 20));
    expect(resizeOutage(S, 0, 5)[0]).toEqual(phone(10, 1));
    expect(resizeStart(S, 1, 25)[1]).toEqual(phone(25, 10));
    expect(resizeStart(S, 1, 15)[1]).toEqual(phone(20, 15));
  });

  it('add an outage in the free time of the row, or refuse when there is none', () => {
    expect(addOutage(S, 'phone', 22, 10)!.at(-1)).toEqual({ device: 'phone', atS: 22, forS: 8, kind: 'network' });
    expect(addOutage(S, 'tablet', 10)!.at(-1)).toEqual({ device: 'tablet', atS: 10, forS: 10, kind: 'network' });
    expect(addOutage([{ device: 'door', atS: 0, forS: 60, kind: 'off' }], 'door', 5)).toBeNull();
  });

  it('remove, switch the kind, and say it in words', () => {
    expect(removeOutage(S, 1)).toEqual([S[0], S[2]]);
    expect(toggleKind(S, 0)[0]!.kind).toBe('network');
    expect(describeOutage(S[0]!)).toBe('Phone: switched off (DISCONNECT) from 10 s to 20 s');
    expect(describeOutage({ device: 'tablet', atS: 0, forS: 40, kind: 'off' })).toBe('Tablet: joins at 40 s, late');
  });
});
