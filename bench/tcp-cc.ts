/**
 * Congestion control figures (`npm run bench -- --only=tcp-cc`), measured when you run them:
 *
 * 1. The issue-9 bulk case: one tcp-sender to a tcp-sink whose access link is 100 Mbit/s with
 *    25 ms one way and a 1000-packet queue, no loss, for each algorithm. Goodput is the payload
 *    over the transfer's completion time (iperf's figure), against the link rate less header
 *    overhead: 100 Mbit/s x 1448 / 1500 = 96.53 Mbit/s (IPv4 + TCP + timestamps = 52 bytes per
 *    1448-byte segment; the link counts IP bytes).
 * 2. Goodput against the response functions on a loss-only path (no bandwidth limit): Reno
 *    against Mathis (MSS/RTT x 1.22/sqrt(p)) and CUBIC against RFC 9438 section 5.1 (the larger
 *    of its cubic-region and Reno-friendly averages), at RTT 50 ms and 500 ms.
 */
import { computeMetrics } from '../simulator/metrics/index.ts';
import type { CongestionName } from '../simulator/protocols/tcp/cc/types.ts';
import { runScenario } from '../simulator/runtime/run.ts';
import { fmt, mustParse, timed } from './util.ts';

const MSS = 1448;

function bulk(congestion: CongestionName, o: { bytes: number; oneWayMs: number; kbps: number; lossPct: number; durationS: number }) {
  const scenario = mustParse({
    schema: 'wirelab/scenario@1',
    title: `bulk ${congestion}`,
    seed: 1,
    durationS: o.durationS,
    nodes: [
      { id: 'sender', role: 'tcp-sender', to: 'sink', bytes: o.bytes, tcp: { congestion }, link: { latencyMs: 0, bandwidthKbps: 0 }, up: { lossPct: o.lossPct } },
      { id: 'sink', role: 'tcp-sink', link: { latencyMs: o.oneWayMs, bandwidthKbps: o.kbps, queuePackets: 1000 } },
    ],
  });
  const { value: run, seconds } = timed(() => runScenario(scenario));
  const flow = computeMetrics(run.trace).flows[0];
  const drops = run.trace.filter((r) => r.kind === 'link-drop' && r.reason === 'queue-full').length;
  const retransmissions = run.trace.filter((r) => r.kind === 'tcp-retransmit').length;
  const completion = flow?.completionS ?? null;
  return { mbps: completion === null ? null : (o.bytes * 8) / completion / 1e6, completion, drops, retransmissions, seconds };
}

export function benchTcpCongestion(quick: boolean): void {
  const names: CongestionName[] = ['reno', 'cubic', 'bbr'];
  const bytes = quick ? 20_000_000 : 100_000_000;
  const ideal = (100 * MSS) / (MSS + 52);
  console.log(`tcp congestion control, bulk ${fmt(bytes / 1e6)} MB over 100 Mbit/s, 25 ms one way, 1000-packet queue, 0% loss (link rate less headers: ${fmt(ideal, 2)} Mbit/s):`);
  for (const cc of names) {
    const r = bulk(cc, { bytes, oneWayMs: 25, kbps: 100_000, lossPct: 0, durationS: 60 });
    const g = r.mbps === null ? 'not finished in 60 s' : `${fmt(r.mbps, 2)} Mbit/s (${fmt((100 * r.mbps) / ideal, 1)} % of the link) in ${fmt(r.completion ?? 0, 2)} s`;
    console.log(`  ${cc.padEnd(5)}: ${g}; ${fmt(r.drops)} queue drops, ${fmt(r.retransmissions)} retransmissions (${fmt(r.seconds, 1)} s wall)`);
  }
  console.log('tcp goodput against the models (loss-only path, Bernoulli loss on data, goodput = bytes / completion):');
  const losses = quick ? [0.01] : [0.001, 0.01, 0.05];
  for (const rttMs of [50, 500]) {
    for (const p of losses) {
      const rttS = rttMs / 1000;
      const mathis = ((MSS / rttS) * Math.sqrt(1.5)) / Math.sqrt(p);
      const cubicW = ((0.4 * 3.7) / (4 * 0.3)) ** 0.25 * (rttS / p) ** 0.75;
      const rfc9438 = (Math.max(cubicW, Math.sqrt(1.5 / p)) * MSS) / rttS;
      // About 200 loss events (200 / p segments), within the scenario's bulkBytes limit (256 MiB):
      // 150 at 0.1 %.
      const segs = Math.min(Math.ceil(200 / p), 150_000);
      const parts = (['reno', 'cubic'] as const).map((cc) => {
        const r = bulk(cc, { bytes: segs * MSS, oneWayMs: rttMs / 2, kbps: 0, lossPct: p * 100, durationS: 3600 });
        const model = cc === 'reno' ? mathis : rfc9438;
        return r.mbps === null ? `${cc} not finished` : `${cc} ${fmt(r.mbps, 3)} Mbit/s = ${fmt((r.mbps * 1e6) / 8 / model, 2)} x ${cc === 'reno' ? 'Mathis' : 'RFC 9438'}`;
      });
      console.log(`  RTT ${rttMs} ms, p ${p * 100}%: ${parts.join('; ')} (${cubicW > Math.sqrt(1.5 / p) ? 'cubic' : 'Reno-friendly'} region)`);
    }
  }
}
