/**
 * The figures chapter 4's prose quotes (`<Measure of="loss.<name>" />`), each from a run named in
 * ./lossRuns.ts: the widget shows the same numbers at the same settings.
 */
import { msText } from './figures.ts';
import { LOSS_RUNS, retransmissions, stream } from './lossRuns.ts';
import type { LossResult, StreamId, StreamResult } from './lossTypes.ts';

const ms = (v: number | null): string => (v === null ? 'nothing delivered' : msText(v));
const of = (s: StreamResult): string => `${s.delivered} of ${s.sent}`;
const total = (run: LossResult, f: (s: StreamResult) => number): number => run.streams.reduce((n, s) => n + f(s), 0);
const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function lossFigures() {
  const d = LOSS_RUNS.defaults();
  const clean = LOSS_RUNS.clean();
  const noDelay = LOSS_RUNS.cleanNoDelay();
  const cleanSparse = LOSS_RUNS.cleanSparse();
  const sparse = LOSS_RUNS.sparse();
  const r10 = LOSS_RUNS.random10();
  const b10 = LOSS_RUNS.bursty10();
  const heavy = LOSS_RUNS.heavy();
  // QoS 2's losses at 20 %, seed by seed, fewest first.
  const qos2Lost = LOSS_RUNS.heavySeeds()
    .map((run) => stream(run, 'qos2').lost)
    .sort((a, b) => a - b);
  const s = (run: LossResult, id: StreamId) => stream(run, id);
  return {
    // The defaults: 5 % random loss, a reading every 50 ms.
    delivered5: of(s(d, 'qos0')),
    lost5: plural(total(d, (x) => x.lost), 'message', 'messages'),
    dropped5: plural(total(d, (x) => x.tcp.dropped), 'packet', 'packets'),
    retransmits5: plural(total(d, retransmissions), 'retransmission', 'retransmissions'),
    qos1Retransmits5: plural(retransmissions(s(d, 'qos1')), 'retransmission', 'retransmissions'),
    qos1Publishes5: plural(s(d, 'qos1').tcp.appPackets, 'PUBLISH packet', 'PUBLISH packets'),
    qos1Resends5: String(s(d, 'qos1').tcp.appResends),
    qos1Probes5: plural(s(d, 'qos1').tcp.probe, 'tail loss probe', 'tail loss probes'),
    qos1Rtos5: plural(s(d, 'qos1').tcp.rto, 'timeout', 'timeouts'),
    wsP50at5: ms(s(d, 'ws').p50),
    wsP95at5: ms(s(d, 'ws').p95),
    qos0P50at5: ms(s(d, 'qos0').p50),
    qos0P95at5: ms(s(d, 'qos0').p95),
    qos1P50at5: ms(s(d, 'qos1').p50),
    qos2P50at5: ms(s(d, 'qos2').p50),
    // No loss: the Nagle trap alone.
    wsP50Clean: ms(s(clean, 'ws').p50),
    qos0P50Clean: ms(s(clean, 'qos0').p50),
    qos2P50Clean: ms(s(clean, 'qos2').p50),
    qos0P50NoDelay: ms(s(noDelay, 'qos0').p50),
    qos2P50NoDelay: ms(s(noDelay, 'qos2').p50),
    qos0P50Sparse: ms(s(cleanSparse, 'qos0').p50),
    // One reading a second at 5 %: losses are tail losses.
    qos0P95Sparse5: ms(s(sparse, 'qos0').p95),
    // 10 %: random against bursty.
    wsP50at10: ms(s(r10, 'ws').p50),
    qos0P50at10: ms(s(r10, 'qos0').p50),
    wsMaxRandom10: ms(s(r10, 'ws').max),
    wsMaxBursty10: ms(s(b10, 'ws').max),
    // 20 %.
    wsDelivered20: of(s(heavy, 'ws')),
    qos0Delivered20: of(s(heavy, 'qos0')),
    qos2Delivered20: of(s(heavy, 'qos2')),
    // The same at seeds 1 to 20: how many lost none, the most lost, and the middle run (the
    // lower median: half the seeds lost this many or fewer).
    qos2NoneLostSeeds: `${qos2Lost.filter((n) => n === 0).length} of ${qos2Lost.length}`,
    qos2MostLostSeeds: String(qos2Lost[qos2Lost.length - 1]),
    qos2MedianLostSeeds: String(qos2Lost[(qos2Lost.length - 1) >> 1]),
  };
}
