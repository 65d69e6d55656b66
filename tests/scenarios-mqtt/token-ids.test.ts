/**
 * The mqtt-client role's token -> flow message id table (simulator/runtime/roles/mqtt-token-ids.ts)
 * agrees with a Map given the same operations: tokens set in order, taken in any order, some
 * taken twice, some never. A fixed-seed run of 20,000 operations crosses the table's compaction
 * (more than 1,024 forgotten slots in front of one that stays) and its restarts when it empties.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../support/mulberry32.ts';
import { TokenIds } from '../../simulator/runtime/roles/mqtt-token-ids.ts';


describe('TokenIds', () => {
  it('answers get and take as a Map with set, get and delete would', () => {
    const rand = mulberry32(12);
    const table = new TokenIds();
    const model = new Map<number, number>();
    let token = 0;
    let id = 0;
    let stuck: number | undefined;
    let taken = 0;
    for (let op = 0; op < 20_000; op++) {
      const r = rand();
      if (r < 0.45) {
        token++;
        id += 1 + Math.floor(rand() * 3);
        table.set(token, id);
        model.set(token, id);
        if (stuck === undefined && token === 50) stuck = token; // one message that stays with the engine a long time
      } else {
        // Take a token near the newest (acknowledged in about publish order), an old one, or one never issued.
        const pick = r < 0.9 ? token - Math.floor(rand() * 8) : r < 0.97 ? 1 + Math.floor(rand() * Math.max(1, token)) : token + 1 + Math.floor(rand() * 5);
        if (pick === stuck && op < 15_000) continue;
        const expected = model.get(pick);
        expect(table.get(pick)).toBe(expected);
        expect(table.take(pick)).toBe(expected);
        model.delete(pick);
        if (expected !== undefined) taken++;
        expect(table.take(pick)).toBeUndefined(); // a second take finds nothing
      }
    }
    // Every token still held answers, every other does not.
    for (let t = 1; t <= token + 3; t++) expect(table.get(t)).toBe(model.get(t));
    expect(taken).toBeGreaterThan(5_000); // the run took many, so the front moved and was compacted
  });

  it('lets go of a long forgotten front when its oldest token is taken, and still answers the rest', () => {
    const table = new TokenIds();
    for (let t = 1; t <= 3000; t++) table.set(t, t + 100);
    for (let t = 2; t <= 2000; t++) expect(table.take(t)).toBe(t + 100);
    expect(table.get(1)).toBe(101); // the oldest still holds the front
    expect(table.take(1)).toBe(101); // now 2,000 slots in front are forgotten, two thirds of 3,000: compacted
    for (let t = 1; t <= 2000; t++) expect(table.get(t)).toBeUndefined();
    for (let t = 2001; t <= 3000; t++) expect(table.get(t)).toBe(t + 100);
    table.set(3001, 7);
    expect(table.take(3001)).toBe(7);
    expect(table.take(2500)).toBe(2600);
  });

  it('starts again at the front once every token is taken, and refuses an older token after', () => {
    const table = new TokenIds();
    table.set(1, 10);
    table.set(2, 11);
    expect(table.take(2)).toBe(11);
    expect(table.take(1)).toBe(10);
    table.set(3, 12);
    expect(table.get(3)).toBe(12);
    expect(table.get(1)).toBeUndefined();
    expect(() => table.set(2, 13)).toThrow(RangeError);
  });
});
