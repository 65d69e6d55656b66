import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketIdAllocator } from '../../../simulator/protocols/mqtt/packet-ids.ts';

/** The rules of packet-ids.ts written with one Set: the model the allocator (array, then Set past 32 in use) must follow. */
class Model {
  inUse = new Set<number>();
  next = 1;
  allocate(): number {
    for (;;) {
      const id = this.next;
      this.next = id === 65535 ? 1 : id + 1;
      if (!this.inUse.has(id)) {
        this.inUse.add(id);
        return id;
      }
    }
  }
}

describe('PacketIdAllocator', () => {
  it('hands out 1, 2, 3... skipping identifiers in use, and frees them, as the one-Set model does', () => {
    const op = fc.oneof(
      { weight: 25, arbitrary: fc.constant({ kind: 'allocate' as const, id: 0 }) },
      { weight: 15, arbitrary: fc.integer({ min: 1, max: 80 }).map((id) => ({ kind: 'free' as const, id })) },
      { weight: 5, arbitrary: fc.integer({ min: 1, max: 80 }).map((id) => ({ kind: 'claim' as const, id })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const, id: 0 }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const a = new PacketIdAllocator();
        const m = new Model();
        for (const o of ops) {
          if (o.kind === 'allocate') expect(a.allocate()).toBe(m.allocate());
          if (o.kind === 'free') { a.free(o.id); m.inUse.delete(o.id); }
          if (o.kind === 'claim') { a.claim(o.id); m.inUse.add(o.id); }
          if (o.kind === 'clear') { a.clear(); m.inUse.clear(); }
          expect(a.inUse).toBe(m.inUse.size);
          for (const id of [1, 2, 33, 40, 80]) expect(a.isInUse(id)).toBe(m.inUse.has(id));
        }
      }),
      { seed: 1206, numRuns: 300 },
    );
  });

  it('refuses a 65536th identifier in use', () => {
    const a = new PacketIdAllocator();
    for (let i = 1; i <= 65535; i++) expect(a.allocate()).toBe(i);
    expect(() => a.allocate()).toThrow('all 65535 packet identifiers are in use');
    a.free(7);
    expect(a.allocate()).toBe(7);
  });
});
