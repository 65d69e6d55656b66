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

describe('Scheduler: cancelled entries', () => {
  it('takes a cancelled event out of the heap at once', () => {
    const s = new Scheduler();
    const seen: number[] = [];
    const handles = [];
    for (let t = 1; t <= 3000; t++) handles.push(s.at(t, () => seen.push(t)));
    // Cancel every event whose time is not a multiple of 3: 2,000 cancels leave the 1,000
    // others, and the heap holds exactly those.
    for (let t = 1; t <= 3000; t++) if (t % 3 !== 0) s.cancel(handles[t - 1]!);
    expect(s.pending).toBe(1000);
    expect(s.heapSize).toBe(1000);
    s.run();
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => 3 * (i + 1)));
    expect(s.heapSize).toBe(0);
  });

  it('runs the same events in the same order after cancels from anywhere in the heap, ties by insertion', () => {
    // Times from a fixed linear congruential sequence, 0..499 (so many ties); cancel two of
    // every three in insertion order; the rest run by (time, insertion).
    const s = new Scheduler();
    const seen: number[] = [];
    let x = 12345;
    const times: number[] = [];
    const handles = [];
    for (let i = 0; i < 6000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      times.push(x % 500);
      const id = i;
      handles.push(s.at(times[i]!, () => seen.push(id)));
    }
    for (let i = 0; i < 6000; i++) if (i % 3 !== 0) s.cancel(handles[i]!);
    expect(s.heapSize).toBe(2000);
    s.run();
    const expected = [...times.keys()].filter((i) => i % 3 === 0).sort((a, b) => times[a]! - times[b]! || a - b);
    expect(seen).toEqual(expected);
  });
});

describe('Scheduler.reschedule (a timer moved without a new entry)', () => {
  it('runs exactly as cancel then at would: the moved event goes after those already at its new time', () => {
    // Two schedulers get the same calls; on one a timer is moved by reschedule, on the other by
    // cancel + at. Both must run the same events in the same order at the same times.
    const runBoth = (move: (s: Scheduler, h: ReturnType<Scheduler['at']>, at: number, fn: () => void) => ReturnType<Scheduler['at']>) => {
      const s = new Scheduler();
      const seen: string[] = [];
      const timer = (): void => void seen.push(`timer@${s.now}`);
      let h = s.at(50, timer);
      s.at(20, () => seen.push(`a@${s.now}`));
      s.at(10, () => {
        seen.push(`b@${s.now}`);
        h = move(s, h, 20, timer); // pending: moved earlier, and after 'a' (already at 20)
      });
      s.at(30, () => {
        seen.push(`c@${s.now}`);
        h = move(s, h, 40, timer); // ran at 20: armed again, after 'd' (already at 40)
      });
      s.at(40, () => seen.push(`d@${s.now}`));
      s.at(35, () => {
        seen.push(`e@${s.now}`);
        s.cancel(h);
        h = move(s, h, 45, timer); // cancelled: armed again
      });
      s.run();
      return { seen, executed: s.executed, pending: s.pending };
    };
    const moved = runBoth((s, h, at) => s.reschedule(h, at));
    const anew = runBoth((s, h, at, fn) => {
      s.cancel(h);
      return s.at(at, fn);
    });
    expect(moved).toEqual(anew);
    expect(moved.seen).toEqual(['b@10', 'a@20', 'timer@20', 'c@30', 'e@35', 'd@40', 'timer@45']);
    expect(moved.executed).toBe(7);
  });

  it('returns the same handle, refuses a time in the past, and a moved event can still be cancelled', () => {
    const s = new Scheduler();
    let ran = 0;
    const h = s.at(100, () => ran++);
    expect(s.reschedule(h, 200)).toBe(h);
    expect(h.at).toBe(200);
    expect(s.pending).toBe(1);
    s.run(150);
    expect(() => s.reschedule(h, 100)).toThrow('before now (150 µs)');
    s.cancel(h);
    s.run();
    expect(ran).toBe(0);
    expect(s.pending).toBe(0);
  });
});

describe('Scheduler.post (events nobody cancels, entries reused)', () => {
  it('orders posted events with the others by (time, insertion), and reuses entries without mixing them up', () => {
    const s = new Scheduler();
    const seen: string[] = [];
    const log = (name: string, n: number) => seen.push(`${name}${n}@${s.now}`);
    s.post(20, log, 'p', 1);
    s.atWith(10, log, 'a', 2);
    s.post(10, log, 'p', 3);
    s.at(20, () => {
      seen.push(`x@${s.now}`);
      // Entries of p1 and p3 ran already: these reuse them, in this order, at 30 then 25.
      s.post(30, log, 'p', 4);
      s.post(25, log, 'p', 5);
    });
    s.run();
    expect(seen).toEqual(['a2@10', 'p3@10', 'p1@20', 'x@20', 'p5@25', 'p4@30']);
    expect(s.pending).toBe(0);
    expect(s.executed).toBe(6);
  });
});

describe('Scheduler: a long random mix of at, post, cancel and reschedule', () => {
  it('runs exactly the events a sorted list by (time, insertion) says, in that order', () => {
    // A fixed linear congruential sequence picks each step; a plain list is the reference: every
    // scheduling takes the next sequence number, a cancel removes its event, a reschedule is a
    // cancel plus a new scheduling. Times are 0..199 µs ahead (many ties), so the heap grows to
    // hundreds of events, shrinks, and its tables are reused.
    const s = new Scheduler();
    const seen: number[] = [];
    const model: { at: number; seq: number; id: number }[] = [];
    const expected: number[] = [];
    const handles = new Map<number, ReturnType<Scheduler['at']>>();
    let x = 2024;
    const next = (n: number) => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    let seq = 0;
    let id = 0;
    const runModel = (until: number) => {
      model.sort((a, b) => a.at - b.at || a.seq - b.seq);
      while (model.length > 0 && model[0]!.at <= until) expected.push(model.shift()!.id);
    };
    for (let step = 0; step < 20_000; step++) {
      const op = next(10);
      if (op < 4) {
        const at = s.now + next(200);
        const mine = id++;
        handles.set(mine, s.at(at, () => seen.push(mine)));
        model.push({ at, seq: seq++, id: mine });
      } else if (op < 6) {
        const at = s.now + next(200);
        const mine = id++;
        s.post(at, (n: number) => seen.push(n), mine, undefined);
        model.push({ at, seq: seq++, id: mine });
      } else if (op < 7 && handles.size > 0) {
        const victim = [...handles.keys()][next(handles.size)]!;
        s.cancel(handles.get(victim)!);
        handles.delete(victim);
        const k = model.findIndex((e) => e.id === victim);
        if (k >= 0) model.splice(k, 1);
      } else if (op < 9 && handles.size > 0) {
        const moved = [...handles.keys()][next(handles.size)]!;
        const at = s.now + next(200);
        s.reschedule(handles.get(moved)!, at);
        const k = model.findIndex((e) => e.id === moved);
        if (k >= 0) model.splice(k, 1);
        model.push({ at, seq: seq++, id: moved });
      } else {
        const until = s.now + next(50);
        s.run(until);
        runModel(until);
      }
    }
    s.run();
    runModel(Infinity);
    expect(seen).toEqual(expected);
    expect(seen.length).toBeGreaterThan(5000);
    expect(s.pending).toBe(0);
  });
});
