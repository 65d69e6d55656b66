/**
 * Limits with names: the largest size, count and time a scenario may ask for, and the resources a
 * run may use. Every one is checked before anything is allocated or run, and a scenario past one
 * is refused with the field's path and the limit's name (`wirelab run` exits 2). They keep a run
 * inside the memory of a browser tab and the patience of a reader; they are not protocol limits
 * (those are the engines' own, e.g. MQTT's 65,535-byte strings, and are checked too).
 *
 * docs/ARCHITECTURE.md ("Limits") lists them; `wirelab schema` publishes the field caps as JSON
 * Schema maxima. Raising one is a code change here (and a look at the memory figures in the
 * docs); the run budgets (events, memory, trace) can be raised per run (`wirelab run --help`).
 */

export const LIMITS = {
  /** Nodes in one scenario (`npm run bench` runs 10,000: a few seconds each). */
  nodes: 10_000,
  /** Simulated time of one run, seconds (one day). */
  durationS: 86_400,
  /** Any other time in seconds (start, stop, outages, heartbeats, timeouts, backoff), one day. */
  seconds: 86_400,
  /** Any time in milliseconds (latency, jitter, send intervals, backoff), one day. */
  millis: 86_400_000,
  /** Any TCP time in microseconds (RTOs, delayed ACK, TIME_WAIT), one day. */
  micros: 86_400_000_000,
  /** Shortest send interval, ms: one tick of the simulator's microsecond clock. */
  minEveryMs: 0.001,
  /** One application message (ws send and push, MQTT publish), bytes: 16 MiB. */
  payloadBytes: 16 * 1024 * 1024,
  /** An MQTT will message: its length is a two-byte field (MQTT 3.1.1 section 3.1.3.3). */
  willPayloadBytes: 65_535,
  /** A tcp-sender's bulk transfer, bytes (it is held in memory until acknowledged): 256 MiB. */
  bulkBytes: 256 * 1024 * 1024,
  /** Any other size in bytes (queues, windows, maxPayload, thresholds): 1 GiB. */
  bytes: 1024 * 1024 * 1024,
  /** Any other count (queue lengths in messages or packets, segments): one million. */
  count: 1_000_000,
  /** Retransmission counts (maxRetries and its kin). */
  retries: 255,
  /** Entries of one list (publish, subscribe, send, push, outages, rules, room members). */
  listEntries: 1_000,
  /** Entries of a link's dropList. */
  dropListEntries: 100_000,
  /** Characters of a node id. */
  idChars: 64,
  /** UTF-8 bytes of an MQTT string (topic, filter, client id, username, password): its two-byte length. */
  mqttStringBytes: 65_535,
  /** Characters of any other string (title, description, unknown fields). */
  textChars: 10_000,
  /** Characters of any one string, unknown fields included (a backstop: named fields have smaller caps). */
  stringChars: 262_144,
  /** Size of a scenario file, and characters of all its strings together: 10 MB. */
  fileBytes: 10_000_000,
  /** Nesting depth of any value, unknown fields included. */
  depth: 32,
  /** Values (objects, lists, numbers, strings...) in one scenario file. */
  values: 500_000,
  /** Seeds are unsigned 32-bit integers. */
  seed: 0xffff_ffff,
  /** Bandwidth, kbit/s (100 Gbit/s); the smallest non-zero one is 0.001 (1 bit/s). */
  bandwidthKbps: 100_000_000,
  /** Payload of a frame or packet the CLI prints byte by byte (`frame ws`, `packet mqtt`): 1 MiB. */
  printedPayloadBytes: 1024 * 1024,
  /** Runs of one sweep: combinations x --runs. */
  sweepRuns: 1_000,
} as const;

/** What a run may use, estimated before it starts and enforced while it goes on (./estimate.ts, simulator/core/budget.ts). */
export const RUN_LIMITS = {
  /** Application messages a run may carry (every send, times its receivers). */
  messages: 500_000,
  /** Scheduler events the estimate may reach before the run starts. */
  estimatedEvents: 10_000_000,
  /** Application bytes a run might hold at once (every payload not yet acknowledged, times its receivers). */
  heldBytes: 512 * 1024 * 1024,
} as const;

/**
 * Past any of these (and within RUN_LIMITS) a run is big enough that the CLI and the Lab ask before
 * starting it, saying what it will take (the CLI: a y/N question on a terminal, else `--yes`). From
 * the measured runs in docs/ARCHITECTURE.md "Limits": 100,000 messages took about 27 s and 200 MB,
 * an estimate of 1.5 million events (a 256 MiB transfer) 15 s and 580 MB.
 */
export const ASK_LIMITS = {
  messages: 100_000,
  estimatedEvents: 2_000_000,
  heldBytes: 128 * 1024 * 1024,
} as const;

export type LimitName = keyof typeof LIMITS;
