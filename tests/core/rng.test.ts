import { describe, expect, it } from 'vitest';
import { Rng, streamSeed } from '../../simulator/core/rng.ts';

describe('Rng', () => {
  it('gives the same numbers for the same seed and name', () => {
    const a = Rng.stream(7, 'link:a-b:loss');
    const b = Rng.stream(7, 'link:a-b:loss');
    expect(Array.from({ length: 5 }, () => a.u32())).toEqual(Array.from({ length: 5 }, () => b.u32()));
  });

  it('keeps named streams independent: another stream does not shift this one', () => {
    const alone = Rng.stream(7, 'root').fork('sensor-1');
    const first = alone.float();
    const root = Rng.stream(7, 'root');
    const other = root.fork('sensor-2');
    other.float();
    other.float();
    expect(root.fork('sensor-1').float()).toBe(first);
  });

  it('gives different streams for different names or seeds', () => {
    expect(streamSeed(7, 'a')).not.toBe(streamSeed(7, 'b'));
    expect(streamSeed(7, 'a')).not.toBe(streamSeed(8, 'a'));
  });

  it('draws floats in [0, 1) with the mean of a uniform distribution', () => {
    const r = Rng.stream(1, 'uniform');
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r.float();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    // Standard error of the mean is 1/sqrt(12 n) ≈ 0.0009; 5 sigma.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.0046);
  });

  it('a leaf stream gives the numbers its fork gives, and keeps no name to fork from', () => {
    const root = Rng.stream(7, '');
    const parent = root.fork('node:a');
    const leaf = parent.leaf('tcp-iss');
    const fork = parent.fork('tcp-iss');
    expect(fork.name).toBe('node:a/tcp-iss');
    expect(Array.from({ length: 5 }, () => leaf.u32())).toEqual(Array.from({ length: 5 }, () => fork.u32()));
    expect(root.leaf('x').float()).toBe(root.fork('x').float());
    expect(() => leaf.fork('more')).toThrow(/leaf/);
    expect(() => leaf.name).toThrow(/leaf/);
  });

  it('fills byte arrays of any length', () => {
    const r = Rng.stream(3, 'bytes');
    expect(r.bytes(4)).toHaveLength(4);
    expect(r.bytes(16)).toHaveLength(16);
    expect(r.bytes(5)).toHaveLength(5);
  });
});
