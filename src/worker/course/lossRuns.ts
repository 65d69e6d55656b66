/**
 * The runs chapter 4's prose and questions describe, each computed once per build (the simulator
 * is deterministic, so these are the figures the widget shows for the same settings).
 */
import { once } from './module.ts';
import { courseLoss, LOSS_DEFAULTS } from './lossStreams.ts';
import type { LossInput, LossResult, StreamId, StreamResult } from './lossTypes.ts';

const at = (change: Partial<LossInput>) => once(() => courseLoss({ ...LOSS_DEFAULTS, ...change }));

export const LOSS_RUNS = {
  /** The widget's defaults: 5 % random loss, a reading every 50 ms, library defaults (Nagle on), cubic. */
  defaults: at({}),
  clean: at({ lossPct: 0 }),
  cleanNoDelay: at({ lossPct: 0, noDelay: true }),
  cleanSparse: at({ lossPct: 0, everyMs: 1000 }),
  sparse: at({ everyMs: 1000 }),
  random10: at({ lossPct: 10 }),
  random10NoDelay: at({ lossPct: 10, noDelay: true }),
  /** The same at seeds 1..5: one seed's losses can stall a stream by chance, so the evidence is their medians. */
  random10NoDelaySeeds: once(() => [1, 2, 3, 4, 5].map((seed) => courseLoss({ ...LOSS_DEFAULTS, lossPct: 10, noDelay: true, seed }))),
  bursty10: at({ lossPct: 10, lossModel: 'bursty' }),
  heavy: at({ lossPct: 20 }),
  heavyBbr: at({ lossPct: 20, congestion: 'bbr' }),
  /**
   * 20 % loss at seeds 1..20: whether 20 QoS 2 messages pile up waiting for PUBREL, so that the
   * broker's quota drops the next, depends on which packets the link loses, so one seed (or the
   * testbed's three runs) says little; the spread over the seeds is the evidence.
   */
  heavySeeds: once(() => Array.from({ length: 20 }, (_, i) => courseLoss({ ...LOSS_DEFAULTS, lossPct: 20, seed: i + 1 }))),
} as const;

export function stream(run: LossResult, id: StreamId): StreamResult {
  const s = run.streams.find((x) => x.id === id);
  if (!s) throw new Error(`no stream ${id} in the run`);
  return s;
}

export const retransmissions = (s: StreamResult): number => s.tcp.rto + s.tcp.fastRetransmit + s.tcp.probe + s.tcp.synRto;
