import { describe, expect, it } from 'vitest';
import { EventBudgetExceeded, Scheduler } from '../../simulator/core/scheduler.ts';

describe('Scheduler', () => {
  it('runs events by time, and equal times in insertion order', () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.at(30, () => seen.push('c@30'));
    s.at(10, () => seen.push('a@10'));
    s.at(10, () => seen.push('b@10'));
    s.at(0, () => seen.push('z@0'));
    s.run();
    expect(seen).toEqual(['z@0', 'a@10', 'b@10', 'c@30']);
    expect(s.now).toBe(30);
  });

  it('lets an event schedule more events, at its own time after those already queued', () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.at(5, () => {
      seen.push('first');
      s.after(0, () => seen.push('child'));
    });
    s.at(5, () => seen.push('second'));
    s.run();
    expect(seen).toEqual(['first', 'second', 'child']);
  });

  it('cancels events, and cancelling twice or after the run does nothing', () => {
    const s = new Scheduler();
    const seen: number[] = [];
    const h = s.at(1, () => seen.push(1));
    s.at(2, () => seen.push(2));
    s.cancel(h);
    s.cancel(h);
    expect(s.pending).toBe(1);
    s.run();
    s.cancel(h);
    expect(seen).toEqual([2]);
    expect(s.pending).toBe(0);
  });

  it('runs up to and including `until`, then leaves the clock there', () => {
    const s = new Scheduler();
    const seen: number[] = [];
    for (const t of [100, 200, 300]) s.at(t, () => seen.push(t));
    expect(s.run(200)).toBe(2);
    expect(seen).toEqual([100, 200]);
    expect(s.now).toBe(200);
    s.run(250);
    expect(s.now).toBe(250);
    expect(s.peek()).toBe(300);
  });

  it('refuses times in the past and non-integer times', () => {
    const s = new Scheduler();
    s.run(10);
    expect(() => s.at(5, () => {})).toThrow('before now (10 µs)');
    expect(() => s.at(10.5, () => {})).toThrow('integer number of microseconds');
  });

  it('stops a runaway run with a clear error', () => {
    const s = new Scheduler({ eventBudget: 100 });
    const tick = (): void => void s.after(1, tick);
    s.at(0, tick);
    expect(() => s.run()).toThrow(EventBudgetExceeded);
    expect(s.executed).toBe(100);
  });
});
