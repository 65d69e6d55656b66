import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../support/mulberry32.ts';
import { FlowMessages } from '../../../simulator/protocols/mqtt/flow-messages.ts';

interface Model {
  flowSet: number;
  msg: number;
  sentAt: number;
  routedAt: number | undefined;
  flags: number;
  bitBase: number;
}

describe('FlowMessages', () => {
  it('keeps every column of 20,000 messages (five chunks of 4,096) as a list of objects does', () => {
    const rnd = mulberry32(12);
    const table = new FlowMessages();
    const model: Model[] = [];
    let t = 0;
    let bits = 0;
    for (let n = 0; n < 20_000; n++) {
      // Times grow by 2^25 us a message on average, so they pass 2^32 (the low word) many times
      // over and end near 20,000 * 2^25 = 156 * 2^32, under the limit of 255 * 2^32.
      t += Math.floor(rnd() * 2 ** 26);
      const flowCount = 1 + Math.floor(rnd() * 3);
      const m: Model = { flowSet: Math.floor(rnd() * 2 ** 32), msg: Math.floor(rnd() * 2 ** 32), sentAt: t, routedAt: undefined, flags: 0, bitBase: bits };
      bits += 2 * flowCount;
      expect(table.add(m.flowSet, flowCount, m.msg, m.sentAt)).toBe(n + 1);
      model.push(m);
      // Route and flag some earlier message (resends are routed again, later).
      const k = Math.floor(rnd() * model.length);
      if (rnd() < 0.5) {
        model[k]!.routedAt = t;
        table.setRoutedAt(k + 1, t);
      }
      if (rnd() < 0.1) {
        const f = rnd() < 0.5 ? 1 : 2;
        model[k]!.flags |= f;
        table.addFlags(k + 1, f);
      }
    }
    expect(table.count).toBe(20_000);
    expect(table.bitsUsed).toBe(bits);
    // The last time is above 2^32 many times over, so the high byte is exercised.
    expect(t).toBeGreaterThan(100 * 2 ** 32);
    const got = model.map((_, i) => {
      const id = i + 1;
      return { flowSet: table.flowSet(id), msg: table.msg(id), sentAt: table.sentAt(id), routedAt: table.routedAt(id), flags: table.flags(id), bitBase: table.bitBase(id) };
    });
    expect(got).toEqual(model);
  });

  it('knows only the ids it gave', () => {
    const table = new FlowMessages();
    expect(table.has(1)).toBe(false);
    table.add(0, 1, 0, 0);
    table.add(0, 1, 1, 5);
    expect([0, 1, 2, 3, 1.5, -1].map((id) => table.has(id))).toEqual([false, true, true, false, false, false]);
  });

  it('refuses a time or message number it cannot hold exactly', () => {
    const table = new FlowMessages();
    expect(() => table.add(0, 1, 0, 255 * 2 ** 32)).toThrow('FlowLedger: send time must be an integer number of microseconds from 0 to 1095216660479, got 1095216660480');
    expect(() => table.add(0, 1, 0, 1.5)).toThrow('send time must be an integer');
    expect(() => table.add(0, 1, 2 ** 32, 0)).toThrow('FlowLedger: message number must be an integer from 0 to 4294967295, got 4294967296');
    // The largest accepted time comes back whole, sent and routed.
    const id = table.add(0, 1, 2 ** 32 - 1, 255 * 2 ** 32 - 1);
    table.setRoutedAt(id, 255 * 2 ** 32 - 1);
    expect([table.sentAt(id), table.routedAt(id), table.msg(id)]).toEqual([255 * 2 ** 32 - 1, 255 * 2 ** 32 - 1, 2 ** 32 - 1]);
    expect(() => table.setRoutedAt(id, -1)).toThrow('route time must be an integer');
  });
});
