/**
 * The congestion control algorithms by name, as Linux picks one per socket
 * (net.ipv4.tcp_congestion_control, or setsockopt TCP_CONGESTION). A fresh instance per
 * connection: each keeps its own state, as Linux's per-socket icsk_ca_priv.
 */
import { LocalProtocolError } from '../../../core/errors.ts';
import { Bbr } from './bbr.ts';
import { Cubic } from './cubic.ts';
import { Reno } from './reno.ts';
import type { CongestionControl, CongestionName } from './types.ts';

export type { CongestionControl, CongestionName } from './types.ts';

/** Every algorithm the virtual TCP offers; CUBIC first, the Linux default. */
export const CONGESTION_NAMES: readonly CongestionName[] = ['cubic', 'reno', 'bbr'];

/** What an algorithm may need from outside; sans-IO, so randomness is handed in. */
export interface CongestionDeps {
  /** A uniform 32-bit random number per call, from the run's seeded streams (BBR's cycle phase). */
  randomU32?: () => number;
}

/**
 * A deterministic 32-bit stream from one seed (Numerical Recipes' LCG: a = 1664525,
 * c = 1013904223): enough for BBR's start phase, whose only demand is to differ between
 * connections; the seed (the ISS) comes from the run's seeded streams.
 */
export function seededU32(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
}

export function createCongestionControl(name: CongestionName, deps: CongestionDeps = {}): CongestionControl {
  switch (name) {
    case 'cubic':
      return new Cubic();
    case 'reno':
      return new Reno();
    case 'bbr':
      if (deps.randomU32 === undefined) {
        throw new LocalProtocolError('bad-option', 'congestion control "bbr" needs deps.randomU32 (a seeded random source for its gain-cycle phase)');
      }
      return new Bbr(deps.randomU32);
    default:
      throw new LocalProtocolError('bad-option', `unknown congestion control "${String(name)}": use one of ${CONGESTION_NAMES.join(', ')}`);
  }
}
