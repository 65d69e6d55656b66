/**
 * WebSocket benchmarks for `npm run bench` (registered in ./run.ts as `ws`): figures printed,
 * never asserted.
 *
 * 1. The engine's codec alone: masked client frames of 20 bytes (telemetry) and 16 KiB, encoded
 *    with encodeFrame and parsed back by FrameParser, in frames and payload MB per second.
 * 2. A WebSocket fleet through runScenario: one ws-server pushing to every client each second,
 *    and ws-clients each sending 20 bytes every second, over 1% loss.
 */
import { computeMetrics } from '../simulator/metrics/index.ts';
import { encodeFrame, FrameParser, Opcode } from '../simulator/protocols/websocket/index.ts';
import { runScenario } from '../simulator/runtime/run.ts';
import { fmt, memoryMb, mustParse, timed } from './util.ts';

function codec(payloadBytes: number, frames: number): string {
  const payload = new Uint8Array(payloadBytes).fill(0x61);
  const maskKey = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
  const { value: parsed, seconds } = timed(() => {
    const parser = new FrameParser({ from: 'client' });
    let n = 0;
    for (let i = 0; i < frames; i++) {
      parser.push(encodeFrame({ opcode: Opcode.binary, payload, maskKey }));
      while (parser.next() !== undefined) n++;
    }
    return n;
  });
  if (parsed !== frames) throw new Error(`codec bench parsed ${parsed} of ${frames} frames`);
  return `${fmt(payloadBytes)} B: ${fmt(frames / seconds)} frames/s, ${fmt((frames * payloadBytes) / seconds / 1e6, 1)} MB/s`;
}

export function benchWebSocket(quick: boolean): void {
  const small = codec(20, quick ? 50_000 : 500_000);
  const large = codec(16_384, quick ? 2_000 : 20_000);
  console.log(`ws codec (encode masked + parse, one frame at a time): ${small}; ${large}`);

  const clients = quick ? 100 : 1000;
  const durationS = 30;
  const nodes: unknown[] = [{ id: 'server', role: 'ws-server', ws: { push: [{ payloadBytes: 40, everyMs: 1000 }] } }];
  for (let i = 0; i < clients; i++) {
    // Start times spread over the first second so the server sees a steady stream.
    nodes.push({ id: `c${i}`, role: 'ws-client', send: [{ payloadBytes: 20, everyMs: 1000, startS: (i % 1000) / 1000 }] });
  }
  const scenario = mustParse({
    schema: 'wirelab/scenario@1',
    seed: 1,
    durationS,
    defaults: { link: { latencyMs: 20, jitterMs: 2, lossPct: 1, bandwidthKbps: 10000 } },
    nodes,
  });
  const { value: run, seconds } = timed(() => runScenario(scenario, { traceLimit: 100_000 }));
  const metrics = computeMetrics(run.trace);
  const sum = (k: 'sent' | 'delivered' | 'lost' | 'inFlight') => metrics.flows.reduce((n, f) => n + f[k], 0);
  console.log(
    `${fmt(clients + 1)} nodes (ws: ${fmt(clients)} clients x 20 B/s up, server push 40 B/s down, 1% loss, ${durationS} s simulated): ` +
      `${fmt(run.eventsExecuted)} events in ${fmt(seconds, 2)} s = ${fmt(run.eventsExecuted / seconds)} events/s; ` +
      `${fmt(metrics.flows.length)} flows, messages sent ${fmt(sum('sent'))}, delivered ${fmt(sum('delivered'))}, lost ${fmt(sum('lost'))}, in flight ${fmt(sum('inFlight'))}; ` +
      `heap ${memoryMb()} MB`,
  );
}
