/**
 * Chapter 11 in the worker: runs the storm scenario (./storm-scenario.ts) once and reads, as the
 * records stream past (a sink, so nothing is searched twice), what the chapter measures: client
 * SYNs per 100 ms after the failure (first tries and retransmissions), drops in front of the
 * balancer, when each client of the failed server had a WebSocket open again, what became of the
 * client messages, and how many WebSockets each server held before the failure and at the end.
 *
 * "Back": a client whose WebSocket was open at the failure and closed after it is back at its next
 * `open` event (the server's 101 arrived). Only the failed server's clients lose theirs: the
 * balancer never moves an established tunnel (HAProxy does not, without on-marked-down).
 */
import type { TraceRecord } from '../../../simulator/core/trace.ts';
import { TraceStore } from '../../../simulator/core/trace-store.ts';
import { MetricsReducer } from '../../../simulator/metrics/index.ts';
import { runScenario } from '../../../simulator/runtime/run.ts';
import { watched } from './watch.ts';
import { parseScenario } from '../../../simulator/scenarios/schema.ts';
import { APP_VERSION } from '../../lib/version.ts';
import { makeSnapshot } from '../snapshot.ts';
import { FAIL_AT_S, RUN_S, serverIds, stormScenario } from './storm-scenario.ts';
import type { ServerLoad, StormBin, StormInput, StormResult } from './storm-types.ts';

/** Width of one slice of the attempts chart, µs. */
export const BIN_US = 100_000;
/**
 * Message rows and trace records the snapshot ships (a run of 200 clients has over 5,000 messages
 * and 100,000 packets; the build's answer is in the page, 2 MB with 1,000 messages and 5,000
 * records, and every answer crosses from the worker); its totals count them all, and the exports
 * say what they left out.
 */
const MESSAGE_ROWS = 200;
const TRACE_ROWS = 1000;
/** Events one run may use (200 clients for 30 s need about a million). */
const EVENT_BUDGET = 20_000_000;

/** Reads the chapter's measures from the records of one run (fed one at a time). */
export class StormReader {
  readonly #failUs: number;
  readonly bins: StormBin[];
  /** Client -> the connection id of its open WebSocket. */
  readonly #openConn = new Map<string, string>();
  /** Clients whose WebSocket closed after the failure -> when it closed (µs), until they are back. */
  readonly #out = new Map<string, number>();
  /** Clients back -> when, µs. */
  readonly backAt = new Map<string, number>();
  readonly displaced = new Set<string>();
  /** Server -> connection ids of the WebSockets open on it. */
  readonly #serverConns = new Map<string, Set<string>>();
  readonly before = new Map<string, number>();
  #snapshotTaken = false;
  downAtUs: number | null = null;
  balancerGaveUp = 0;
  attempts = 0;
  handshakeRetransmits = 0;
  drops = 0;

  constructor(
    readonly clients: ReadonlySet<string>,
    readonly servers: readonly string[],
    failUs: number,
    endUs: number,
  ) {
    this.#failUs = failUs;
    for (const s of servers) this.#serverConns.set(s, new Set());
    const n = Math.ceil((endUs - failUs) / BIN_US);
    this.bins = Array.from({ length: n }, (_, i) => ({ tMs: (failUs + i * BIN_US) / 1000, attempts: 0, handshakeRetransmits: 0, drops: 0, reopened: 0 }));
  }

  /** Client `node`'s connection `conn` is over: if it was its open one, the client is out from `t`. */
  #out_(node: string, conn: string | undefined, t: number): void {
    if (conn === undefined || this.#openConn.get(node) !== conn) return;
    this.#openConn.delete(node);
    if (t >= this.#failUs && !this.displaced.has(node)) {
      this.displaced.add(node);
      this.#out.set(node, t);
    }
  }

  #bin(t: number): StormBin | undefined {
    return t < this.#failUs ? undefined : this.bins[Math.floor((t - this.#failUs) / BIN_US)];
  }

  emit(r: TraceRecord): void {
    if (!this.#snapshotTaken && r.t >= this.#failUs) {
      this.#snapshotTaken = true;
      for (const [s, conns] of this.#serverConns) this.before.set(s, conns.size);
    }
    switch (r.kind) {
      case 'tcp-send':
        if (r.flags === 'SYN' && !r.retransmission && this.clients.has(r.node)) {
          const bin = this.#bin(r.t);
          if (!bin) return;
          this.attempts++;
          bin.attempts++;
        }
        return;
      case 'tcp-retransmit':
        // A client's SYN, or the balancer's SYN-ACK on a client's connection (its id starts with the client's).
        if (r.cause === 'syn-rto' && (this.clients.has(r.node) || (r.node === 'lb' && !r.conn.startsWith('lb:')))) {
          const bin = this.#bin(r.t);
          if (!bin) return;
          this.handshakeRetransmits++;
          bin.handshakeRetransmits++;
        }
        return;
      case 'link-drop':
        if (r.link === 'core->lb' && r.reason === 'queue-full') {
          this.drops++;
          const bin = this.#bin(r.t);
          if (bin) bin.drops++;
        }
        return;
      case 'ws-event':
        // A client is out when its application sees its connection closed: at once after it
        // destroys a dead one (terminate(): its TCP may live on, sending its FIN), or when TCP died.
        if (r.event === 'closed' && this.clients.has(r.node)) return this.#out_(r.node, r.conn, r.t);
        if (r.event !== 'open') return;
        if (this.clients.has(r.node)) {
          this.#openConn.set(r.node, r.conn);
          const since = this.#out.get(r.node);
          if (since !== undefined) {
            this.#out.delete(r.node);
            if (!this.backAt.has(r.node)) {
              this.backAt.set(r.node, r.t);
              const bin = this.#bin(r.t);
              if (bin) bin.reopened++;
            }
          }
        } else this.#serverConns.get(r.node)?.add(r.conn);
        return;
      case 'tcp-state':
        if (r.to !== 'CLOSED') return;
        if (this.clients.has(r.node)) this.#out_(r.node, r.conn, r.t);
        else this.#serverConns.get(r.node)?.delete(r.conn);
        return;
      case 'note':
        if (r.node !== 'lb') return;
        if (this.downAtUs === null && r.text.startsWith(`lb: ${this.servers[0]} DOWN`)) this.downAtUs = r.t;
        if (r.text.includes(' unreachable for ')) this.balancerGaveUp++;
        return;
      default:
        return;
    }
  }

  /** WebSockets each server holds now (the failed one: none, whatever its dead host still lists). */
  loads(): ServerLoad[] {
    return this.servers.map((s, i) => ({ server: s, before: this.before.get(s) ?? 0, after: i === 0 ? 0 : this.#serverConns.get(s)!.size }));
  }
}

/** Nearest-rank median (docs/ARCHITECTURE.md "Metrics"): an observed value. */
function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.5 * sorted.length) - 1]!;
}

export function courseStorm(input: StormInput): StormResult {
  const parsed = parseScenario(stormScenario(input));
  if (!parsed.ok) throw new Error(`chapter 11's scenario is not valid: ${parsed.errors.join('; ')}`);
  const scenario = parsed.scenario;
  const failUs = FAIL_AT_S * 1_000_000;
  const endUs = RUN_S * 1_000_000;
  const clients = new Set(scenario.nodes.filter((n) => n.role === 'ws-client').map((n) => n.id));
  const reader = new StormReader(clients, serverIds(input.servers), failUs, endUs);
  // The metrics are reduced as the run goes; the store keeps only TRACE_ROWS packet records (and
  // every message record), so the snapshot is made without going over the whole trace again.
  const metrics = new MetricsReducer();
  const run = runScenario(scenario, watched({ seed: input.seed, eventBudget: EVENT_BUDGET, traceLimit: TRACE_ROWS, sinks: [reader, metrics] }));
  const snapshot = makeSnapshot({
    runId: 0, scenario, seed: input.seed, appVersion: APP_VERSION, durationUs: run.endTime,
    trace: run.traceStore ?? new TraceStore(0), metrics: metrics.result(), traceLimit: TRACE_ROWS, rows: { messages: MESSAGE_ROWS },
  });
  let sent = 0;
  let delivered = 0;
  let duplicates = 0;
  for (const f of snapshot.metrics.flows) {
    sent += f.sent;
    delivered += f.delivered;
    duplicates += f.duplicates;
  }
  const backTimes = [...reader.backAt.values()].map((t) => (t - failUs) / 1000);
  const peak = reader.bins.reduce((best, b) => (b.attempts > best.attempts ? b : best), reader.bins[0]!);
  const stillOut = reader.displaced.size - reader.backAt.size;
  return {
    input,
    durationMs: RUN_S * 1000,
    failAtMs: FAIL_AT_S * 1000,
    downAtMs: reader.downAtUs === null ? null : reader.downAtUs / 1000,
    displaced: reader.displaced.size,
    back: reader.backAt.size,
    stillOut,
    allBackAfterMs: stillOut === 0 && backTimes.length > 0 ? Math.max(...backTimes) : null,
    medianBackAfterMs: median(backTimes),
    peakAttempts: peak.attempts,
    peakAtMs: peak.tMs,
    attempts: reader.attempts,
    handshakeRetransmits: reader.handshakeRetransmits,
    drops: reader.drops,
    balancerGaveUp: reader.balancerGaveUp,
    sent,
    delivered,
    notDelivered: sent - delivered,
    duplicates,
    servers: reader.loads(),
    bins: reader.bins,
    snapshot,
  };
}
