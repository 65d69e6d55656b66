/**
 * Runs chapter 10's job stream (./share-scenario.ts) once per mode and reads the outcome from the
 * packets as they happen (a trace sink; no trace kept): the PUBLISHes the producer sent, those each
 * consumer received (the first copy of each packet id on a connection; a resend carries DUP), those
 * the broker wrote to c1 after it dropped, when the broker cut c1 off, and what it discarded with c1's
 * session. Consumers are told apart by the connection id, which starts with the client's node id.
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import {
  consumerId, DROP_AT_S, PRODUCER, SHARE_BROKER, shareScenario, shareTiming,
  type ConsumerLoad, type ShareInput, type ShareMode, type ShareOutcome, type ShareResult,
} from './share-scenario.ts';

export function runShareMode(mode: ShareMode, input: ShareInput): ShareOutcome {
  const parsed = parseScenario(shareScenario(mode, input));
  if (!parsed.ok) throw new Error(`the job-stream scenario is not valid: ${parsed.errors.join('; ')}`);
  const consumers: ConsumerLoad[] = Array.from({ length: input.consumers }, (_, i) => ({ id: consumerId(i), received: 0, packetsIn: 0, bytesIn: 0 }));
  const byNode = new Map(consumers.map((c) => [c.id, c]));
  const byLink = new Map(consumers.map((c) => [`core->${c.id}`, c]));
  const dropUs = DROP_AT_S * 1e6;
  const dropped = consumerId(0);
  let produced = 0;
  let sentToDropped = 0;
  let cutOffAtS: number | null = null;
  let discardedWithSession = 0;
  let queueFull = 0;
  const sink = {
    emit(r: TraceRecord): void {
      if (r.kind === 'link-send') {
        const c = byLink.get(r.link);
        if (c !== undefined) {
          c.packetsIn++;
          c.bytesIn += r.bytes;
        }
        return;
      }
      if (r.kind === 'mqtt-packet' && r.type === 'publish') {
        if (r.node === PRODUCER && r.dir === 'send' && r.dup !== true) produced++;
        else if (r.dir === 'receive' && r.dup !== true) {
          const c = byNode.get(r.node);
          if (c !== undefined) c.received++;
        } else if (r.node === SHARE_BROKER && r.dir === 'send' && input.drop && r.t >= dropUs && r.conn.startsWith(`${dropped}:`)) sentToDropped++;
        return;
      }
      if (r.kind === 'mqtt-event' && r.node === SHARE_BROKER && r.event === 'queue-full') queueFull++;
      if (r.kind === 'mqtt-event' && r.node === SHARE_BROKER && r.clientId === dropped && input.drop) {
        if (r.event === 'keepalive-timeout' && cutOffAtS === null) cutOffAtS = r.t / 1e6;
        else if (r.event === 'discarded-with-session') discardedWithSession++;
      }
    },
  };
  runScenario(parsed.scenario, watched({ seed: input.seed, keepTrace: false, sinks: [sink] }));
  const reached = consumers.reduce((n, c) => n + c.received, 0);
  // Shared: each job goes to one consumer; plain: to every consumer (c1's missing ones after its drop).
  const neverReceived = mode === 'shared' ? produced - reached : produced - Math.max(...consumers.map((c) => c.received));
  return { mode, produced, consumers, neverReceived, queueFull, sentToDropped, cutOffAtS, discardedWithSession };
}

export function courseShare(input: ShareInput): ShareResult {
  return { input, durationS: shareTiming(input).durationS, shared: runShareMode('shared', input), plain: runShareMode('plain', input) };
}
