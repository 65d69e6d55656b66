/**
 * Chapter 10's second experiment: a stream of jobs consumed by k workers through one MQTT broker
 * (mosquitto's behaviour), page-safe (simulator types only; the page imports the types).
 *
 * A producer publishes a job (QoS 1, JOB_BYTES bytes) every 1/jobsPerS seconds from JOBS_FROM_S;
 * k consumers subscribe at QoS 1, either all to one shared subscription `$share/workers/jobs`
 * (MQTT 5 section 4.8.2: each job to one member, in turn) or each to `jobs` (every consumer gets
 * every job). Optionally consumer c1 loses its network at DROP_AT_S for good (a link outage: no
 * DISCONNECT, no FIN): the broker notices only when c1's keepalive runs out (1.5 x keepaliveS, at
 * mosquitto's whole-second sweeps), and meanwhile keeps giving c1 its turn.
 */

export type ShareMode = 'shared' | 'plain';

export interface ShareInput {
  /** Consumers, 1 to MAX_CONSUMERS. */
  consumers: number;
  /** Jobs the producer publishes per second. */
  jobsPerS: 10 | 50 | 200;
  /** Consumer c1 loses its network at DROP_AT_S. */
  drop: boolean;
  /** The consumers' MQTT keepalive, seconds (mqtt.js: 60). */
  keepaliveS: 10 | 60;
  seed: number;
}

export const SHARE_DEFAULTS: ShareInput = { consumers: 3, jobsPerS: 50, drop: true, keepaliveS: 10, seed: 1 };
export const MAX_CONSUMERS = 8;
export const JOBS_PER_S_CHOICES = [10, 50, 200] as const;
export const KEEPALIVE_CHOICES = [10, 60] as const;
export const JOB_BYTES = 200;
export const JOB_TOPIC = 'jobs';
export const SHARED_FILTER = '$share/workers/jobs';
export const JOBS_FROM_S = 1;
export const DROP_AT_S = 5;
/** Every client's link: 10 Mbit/s, 10 ms one way; the broker's 1 Gbit/s, 1 ms. */
export const SHARE_CLIENT_LINK = { latencyMs: 10, jitterMs: 0, lossPct: 0, bandwidthKbps: 10_000 };
export const SHARE_BROKER_LINK = { latencyMs: 1, jitterMs: 0, lossPct: 0, bandwidthKbps: 1_000_000 };
export const PRODUCER = 'producer';
export const SHARE_BROKER = 'broker';
export const consumerId = (i: number): string => `c${i + 1}`;

/** The run's timing: jobs until stopS, the run until durationS (past the broker's keepalive cut-off). */
export function shareTiming(input: ShareInput): { stopS: number; durationS: number } {
  // The broker cuts c1 off within 1.5 x keepalive + 1 s of its last packet (broker-keepalive.ts); 5 s more to see what follows.
  const stopS = DROP_AT_S + Math.floor(input.keepaliveS * 1.5) + 6;
  return { stopS, durationS: stopS + 2 };
}

export function shareScenario(mode: ShareMode, input: ShareInput): Record<string, unknown> {
  const { stopS, durationS } = shareTiming(input);
  const everyMs = 1000 / input.jobsPerS;
  const nodes: unknown[] = [
    { id: SHARE_BROKER, role: 'mqtt-broker', link: SHARE_BROKER_LINK },
    { id: PRODUCER, role: 'mqtt-client', mqtt: { version: '5' }, publish: [{ topic: JOB_TOPIC, qos: 1, payloadBytes: JOB_BYTES, everyMs, startS: JOBS_FROM_S, stopS }] },
  ];
  for (let i = 0; i < input.consumers; i++) {
    const node: Record<string, unknown> = {
      id: consumerId(i), role: 'mqtt-client', mqtt: { version: '5', keepaliveS: input.keepaliveS },
      subscribe: [{ topic: mode === 'shared' ? SHARED_FILTER : JOB_TOPIC, qos: 1 }],
    };
    if (i === 0 && input.drop) node['link'] = { outages: [{ atS: DROP_AT_S, forS: durationS }] };
    nodes.push(node);
  }
  return {
    schema: 'wirelab/scenario@1',
    title: `chapter 10: ${input.jobsPerS} jobs/s to ${input.consumers} consumer${input.consumers === 1 ? '' : 's'} (${mode === 'shared' ? SHARED_FILTER : JOB_TOPIC})${input.drop ? `, c1 drops at ${DROP_AT_S} s` : ''}`,
    seed: input.seed,
    durationS,
    defaults: { link: SHARE_CLIENT_LINK },
    nodes,
  };
}

/** One consumer's share of the stream. */
export interface ConsumerLoad {
  id: string;
  /** Jobs its application received (first copies; a resend with DUP is not counted again). */
  received: number;
  /** Packets and bytes arriving on its link over the run (the connection and subscription included). */
  packetsIn: number;
  bytesIn: number;
}

export interface ShareOutcome {
  mode: ShareMode;
  /** Jobs the producer published. */
  produced: number;
  consumers: ConsumerLoad[];
  /**
   * Jobs received by no consumer. Shared: produced minus every consumer's jobs (each job goes to
   * one). Plain: produced minus the most any one consumer received (each job goes to all), a lower
   * bound that is exact whenever one consumer got every job.
   */
  neverReceived: number;
  /** Jobs the broker dropped because a consumer's queue was full (mosquitto's max_queued_messages, 1,000). */
  queueFull: number;
  /** After c1's drop: PUBLISHes the broker wrote to c1, and when it cut c1 off (s), null when it did not. */
  sentToDropped: number;
  cutOffAtS: number | null;
  /** Jobs the broker discarded with c1's session (mosquitto: not given to another member). */
  discardedWithSession: number;
}

export interface ShareResult {
  input: ShareInput;
  durationS: number;
  shared: ShareOutcome;
  plain: ShareOutcome;
}
