/**
 * The one typed API between the page and the simulator worker (svelte.dev's habit: the worker's
 * messages are declared once, in one file both sides import). The worker implements `SimApi`
 * (./sim.worker.ts) and exposes it with comlink; the page reaches it through `SimClient`
 * (./client.ts) or the reactive `SimRunner` (./runner.svelte.ts).
 *
 * Rules of this file:
 * - Only types and constants: no simulator code, no DOM, so both sides can import it.
 * - Everything that crosses the boundary is structured-clone safe: plain objects, arrays,
 *   numbers, strings, Uint8Array. Widgets hold these snapshots, never simulator objects.
 * - Adding a method is a small additive edit (widgets may need new ones); changing the meaning of
 *   one needs every caller updated in the same commit.
 */
import type { TraceRecord } from '../../simulator/core/trace.ts';
import type { TraceColumns } from '../../simulator/core/trace-store.ts';
import type { CheckQuestion } from './course/types.ts';
import type { CourseModules } from './course/module.ts';
import type { FlowMetrics, LinkMetrics, Metrics } from '../../simulator/metrics/index.ts';

import type { FrameDescription } from '../../simulator/protocols/websocket/describe.ts';
import type { PacketDescription } from '../../simulator/protocols/mqtt/inspect.ts';

export type { TraceRecord, TraceColumns, FlowMetrics, LinkMetrics };
export type WsFrameDescription = FrameDescription;
export type MqttPacketDescription = PacketDescription;

/** The layout of `TraceColumns`: `kinds[code]`, and `fields[code]` the [name, type] of each column after `t`. */
export interface TraceFormat {
  kinds: string[];
  fields: [string, 'num' | 'str' | 'bool'][][];
}

/** A byte-inspection answer: the value, or the engine's message saying what is wrong with the bytes. */
export type Inspected<T> = { ok: true; value: T } | { ok: false; error: string };

/** One WebSocket frame to encode (RFC 6455 section 5.2). */
export interface WsFrameRequest {
  opcode: 'continuation' | 'text' | 'binary' | 'close' | 'ping' | 'pong' | number;
  /** Text is encoded as UTF-8. */
  payload: Uint8Array | string;
  fin?: boolean;
  rsv1?: boolean;
  /** 4 bytes: a client's frame is masked (section 5.3); omit for a server's frame. */
  maskKey?: Uint8Array;
}

// ---- the course modules (src/worker/course/), typed by the map their files add to ----

/** What a course module's runs report while they go (./course/watch.ts). */
export interface CourseProgress {
  /** Reports made so far by this call: it only grows, and growth is what the page's watchdog counts as progress. */
  work: number;
  /** How far the current run of the call is in simulated time, from 0 to 1 (a module may make several runs). */
  fraction: number;
}

type CourseRegistry = CourseModules;
/** A chapter widget's worker module: "twoWays", "handshake", "overhead"... */
export type CourseName = keyof CourseRegistry;
/** What `course(name, input)` takes for module `K`. */
export type CourseInput<K extends CourseName> = Parameters<CourseRegistry[K]['run']>[0];
/** What `course(name, input)` gives for module `K`. */
export type CourseOutput<K extends CourseName> = ReturnType<CourseRegistry[K]['run']>;
/** Every figure the prose may show: `<Measure of="overhead.mqttPublish20" />` (computed at build time). */
export type FigureKey = {
  [K in CourseName]: `${K}.${keyof ReturnType<NonNullable<CourseRegistry[K]['figures']>> & string}`;
}[CourseName];
/** Modules that have "check your understanding" questions: `<UnderstandingCheck of="overhead" />`. */
export type CheckName = { [K in CourseName]: CourseRegistry[K] extends { checks: () => CheckQuestion[] } ? K : never }[CourseName];

/** Bumped when a method changes shape; the page checks it once when the worker starts. */
export const SIM_API_VERSION = 1;

/** Packet-level trace records a snapshot keeps unless the caller asks otherwise. */
export const DEFAULT_TRACE_LIMIT = 5_000;

export interface RunOptions {
  /** Overrides the scenario's own `seed`. */
  seed?: number;
  /** Trace records shipped in the snapshot (the first ones); default DEFAULT_TRACE_LIMIT. */
  traceLimit?: number;
  /** Least wall-clock time between two progress reports, ms (default 100). */
  progressEveryMs?: number;
  /**
   * The reader agreed to a big run (its estimate past simulator/scenarios/limits.ts ASK_LIMITS,
   * within RUN_LIMITS). Without it such a run is not started: the outcome has `confirm`.
   */
  confirmed?: boolean;
  /**
   * Rows of each table the snapshot ships, when a run may have many (10,000 clients make 10,000
   * flows, 20,000 links and 10,000 messages a publish): the first `flows` and `links`, and at most
   * `messages` messages spread over the run, every k-th (`snapshot.messageStride`) (default: all). `snapshot.totals` still counts the whole run. Structured-cloning a snapshot
   * is a task on the page's main thread, so a page that must stay responsive bounds it.
   */
  rows?: RowLimits;
  /**
   * Leave the scenario out of the snapshot (`scenario: null`; SimRunner puts back the one it was
   * given, with the seed used): the caller has it already, and a 10,000-node scenario is most of
   * what a snapshot costs the page's main thread to receive (about half of a 108 ms deserialize in
   * Chromium on a loaded machine, for the Lab's 10,000-client fan-out).
   */
  omitScenario?: boolean;
}

export interface RowLimits {
  flows?: number;
  links?: number;
  messages?: number;
}

/** Streamed while a run goes on. */
export interface RunProgress {
  /** Simulated time reached, µs. */
  simTimeUs: number;
  /** Simulated end of the run, µs. */
  endTimeUs: number;
  /** simTimeUs / endTimeUs, from 0 to 1. */
  fraction: number;
  /**
   * Trace records the run has emitted so far: work done, which grows while simulated time stands
   * nearly still (thousands of clients connecting at once). The page's watchdog counts a report
   * as progress when this or `simTimeUs` moved (./client.ts).
   */
  records?: number;
}

/** One row per application message (the message CSV). */
export interface MessageRow {
  flow: string;
  msg: number;
  bytes: number;
  sentMs: number;
  /** First delivery, ms; null if it never arrived. */
  deliveredMs: number | null;
  latencyMs: number | null;
  /** Extra deliveries of the same message. */
  duplicates: number;
  status: 'delivered' | 'lost' | 'in-flight';
  /** Why it was lost (from the `app-lost` record). */
  lostReason: string;
}

/** The metrics a snapshot carries: simulator/metrics' `computeMetrics` result (plain JSON). */
export type SnapshotMetrics = Metrics;

/** What a finished run gives the page: small, bounded, structured-clone safe. */
export interface RunSnapshot {
  /** Increases with every run of one worker; pass it to `traceSlice`. */
  runId: number;
  /** The validated scenario, with `seed` set to the seed actually used. */
  scenario: unknown;
  seed: number;
  /** `version` from package.json, so an exported file says which build made it. */
  appVersion: string;
  /** Simulated length of the run, µs. */
  durationUs: number;
  /** Metrics from simulator/metrics' reducers over the whole trace of the run. */
  metrics: SnapshotMetrics;
  /**
   * One row per application message (first send, first delivery), in trace order: every one, or
   * with `RunOptions.rows.messages` every `messageStride`-th (the 1st, the k+1-th...).
   */
  messages: MessageRow[];
  /** 1 when `messages` holds every message; k when it holds every k-th. */
  messageStride: number;
  /**
   * The first `traceLimit` records of the run's trace, in time order (the rest stay in the
   * worker: page through them with `traceSlice(runId, from, count)`).
   */
  trace: TraceRecord[];
  /** Records in the whole kept trace (>= trace.length); `traceColumns` hands them all over. */
  traceTotal: number;
  /**
   * Packet-level records the run let go, the oldest first, to keep at most the trace's limit
   * (simulator/core/trace.ts DEFAULT_TRACE_PACKET_LIMIT; message records are all kept): 0 when
   * the kept trace is the whole run.
   */
  traceDropped: number;
  /** The whole run's counts, whatever `RunOptions.rows` left out of `metrics` and `messages`. */
  totals: RunTotals;
}

/** A run in a few numbers, over every flow, link and message (./snapshot.ts `runTotals`). */
export interface RunTotals {
  /** Flows, links and message rows in the run (the snapshot may ship fewer: `RunOptions.rows`). */
  flows: number;
  links: number;
  messages: number;
  /** Over every flow: messages sent, delivered (first deliveries), lost, still in flight at the end, delivered again. */
  sent: number;
  delivered: number;
  lost: number;
  inFlight: number;
  duplicates: number;
  /** Lost messages by why (the `app-lost` record's reason, e.g. `sent-before-subscription`), over every message. */
  lostBy: Record<string, number>;
  /** Over every link: packets sent and dropped. */
  packets: number;
  dropped: number;
  /** Latency of every delivered message, ms (null when none was delivered): median, 95th percentile and the slowest. */
  latencyMs: { p50: number; p95: number; max: number } | null;
}

/** A scenario that did not validate: one line per problem, naming the field path. */
export interface InvalidScenario {
  ok: false;
  errors: string[];
  /** Valid, but its resource estimate passes a run limit (simulator/scenarios/limits.ts): `errors` name the limits. */
  tooBig?: boolean;
  /** Valid and within the limits, but big: `errors[0]` says what it would take; run again with `confirmed` to start it. */
  confirm?: boolean;
}

export type RunOutcome = { ok: true; snapshot: RunSnapshot } | InvalidScenario;

export type ValidateOutcome = { ok: true; scenario: unknown } | InvalidScenario;

/** The worker's API. Every method is async from the page's side (comlink). */
export interface SimApi {
  /** SIM_API_VERSION and the app version, to check both sides were built together. */
  hello(): { apiVersion: number; appVersion: string };
  /** Validates a scenario (already parsed from JSON) with the scenario schema. */
  validate(scenario: unknown): ValidateOutcome;
  /**
   * Validates and runs a scenario, streaming progress through `onProgress` (a comlink proxy).
   * Throws (rejects) only for a failure of the simulation itself, with a readable message.
   */
  run(scenario: unknown, options?: RunOptions, onProgress?: (p: RunProgress) => void): RunOutcome;
  /**
   * `count` records of the last run's kept trace from index `from`, optionally only the `kinds`
   * given: for tables that page through a long trace without shipping it whole.
   */
  traceSlice(runId: number, from: number, count: number, kinds?: string[]): { total: number; records: TraceRecord[] };
  /**
   * The last run's whole kept trace as typed columns (simulator/core/trace-store.ts TraceColumns:
   * a kind and row per record, a table of columns per kind, one string table), its buffers
   * transferred, not copied; null for a run that is not the last.
   */
  traceColumns(runId: number): TraceColumns | null;
  /** How to read `traceColumns`: the kinds in code order and, per kind, its fields after `t` (simulator/core/trace-store.ts TRACE_FIELDS). */
  traceFormat(): TraceFormat;

  // ---- byte inspection (the engines' own encoders and describers) ----
  /** Encodes one WebSocket frame and describes every field. */
  wsEncodeFrame(request: WsFrameRequest): Inspected<{ bytes: Uint8Array; description: WsFrameDescription }>;
  /** Parses and describes the whole WebSocket frames in `bytes`. */
  wsDescribeFrames(bytes: Uint8Array): Inspected<WsFrameDescription[]>;
  /** Describes the whole MQTT packets in `bytes` (protocol version for packets before a CONNECT). */
  mqttDescribePackets(bytes: Uint8Array, version?: '3.1.1' | '5'): Inspected<MqttPacketDescription[]>;

  // ---- the chapters' widgets: one call for every course module (src/worker/course/) ----
  /**
   * Runs course module `name` on `input` (checked with the module's schema; a bad input rejects
   * with a message naming the field). From the page, call `SimClient.course`, which keeps the types
   * and watches `onProgress` (a call that stops reporting is stopped: ./client.ts).
   */
  course<K extends CourseName>(name: K, input: CourseInput<K>, onProgress?: (p: CourseProgress) => void): CourseOutput<K>;
}
