import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../simulator/protocols/mqtt/fifo.ts';

describe('Fifo', () => {
  it('gives back what was pushed, in order, undefined items included, as an array with shift() does', () => {
    // Runs of pushes and shifts, long enough (up to 3,000 items held) to reach the compaction past 1,024 read.
    const step = fc.oneof(
      fc.record({ push: fc.array(fc.option(fc.integer(), { nil: undefined }), { maxLength: 1500 }) }),
      fc.record({ shift: fc.integer({ min: 0, max: 1500 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const q = new Fifo<number | undefined>();
        const model: Array<number | undefined> = [];
        for (const s of steps) {
          if ('push' in s) for (const x of s.push) {
            q.push(x);
            model.push(x);
          } else for (let i = 0; i < s.shift; i++) expect(q.shift()).toBe(model.shift());
        }
        // Drain: the same items, then undefined, and it works again from empty.
        while (model.length > 0) expect(q.shift()).toBe(model.shift());
        expect(q.shift()).toBeUndefined();
        q.push(7);
        expect(q.shift()).toBe(7);
        expect(q.shift()).toBeUndefined();
      }),
      { seed: 1207, numRuns: 200 },
    );
  });

  it('keeps its order across the compaction of a queue that never empties (more than 1,024 read, most of the array)', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 3000; i++) q.push(i);
    for (let i = 0; i < 2000; i++) expect(q.shift()).toBe(i); // compacts at the 1,025th... and on
    for (let i = 3000; i < 3010; i++) q.push(i);
    for (let i = 2000; i < 3010; i++) expect(q.shift()).toBe(i);
    expect(q.shift()).toBeUndefined();
    q.push(1);
    q.push(2);
    expect([q.shift(), q.shift(), q.shift()]).toEqual([1, 2, undefined]);
  });
});
