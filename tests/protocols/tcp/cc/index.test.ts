import { describe, expect, it } from 'vitest';
import { LocalProtocolError } from '../../../../simulator/core/errors.ts';
import { CONGESTION_NAMES, createCongestionControl } from '../../../../simulator/protocols/tcp/cc/index.ts';
import type { CongestionName } from '../../../../simulator/protocols/tcp/cc/types.ts';

describe('createCongestionControl', () => {
  it('makes a fresh algorithm of each name', () => {
    for (const name of CONGESTION_NAMES) {
      const a = createCongestionControl(name, { randomU32: () => 0 });
      expect(a.name).toBe(name);
      expect(createCongestionControl(name, { randomU32: () => 0 })).not.toBe(a);
    }
  });

  it('names a bad name and the good ones', () => {
    expect(() => createCongestionControl('vegas' as CongestionName)).toThrow(LocalProtocolError);
    expect(() => createCongestionControl('vegas' as CongestionName)).toThrow('unknown congestion control "vegas": use one of cubic, reno, bbr');
    expect(() => createCongestionControl('bbr')).toThrow('congestion control "bbr" needs deps.randomU32');
  });
});
