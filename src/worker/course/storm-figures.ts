/**
 * Chapter 11's figures: the named runs the prose quotes (`<Measure of="storm.x" />`), each computed
 * once per build, the input schema and the defaults the widget starts with.
 */
import * as z from 'zod';
import { once } from './module.ts';
import { courseStorm } from './storm-run.ts';
import { rehashedPercent } from './storm-hash.ts';
import { FAIL_AT_S, HEARTBEAT_S, STORM_DEFAULTS } from './storm-scenario.ts';
import type { StormInput, StormResult } from './storm-types.ts';

export { STORM_DEFAULTS };

export const stormInput = z.strictObject({
  clients: z.number().int().min(3).max(1000),
  servers: z.number().int().min(2).max(8),
  jitter: z.number().min(0).max(1),
  initialDelayS: z.number().min(0.1).max(30),
  resume: z.boolean(),
  failure: z.enum(['crash', 'power']),
  hashType: z.enum(['map-based', 'consistent']),
  redispatch: z.boolean(),
  queuePackets: z.number().int().min(1).max(1000),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
}) satisfies z.ZodType<StormInput>;

/** The short queue of the "try this" and the figures: it stands in for a short SYN backlog. */
export const SHORT_QUEUE = 20;

const D = STORM_DEFAULTS;
/** The named runs the prose quotes. */
export const stormRuns = {
  /** The default: 200 clients, 3 servers, s1's process crashes at 10 s, no jitter, map-based hashing. */
  base: once(() => courseStorm(D)),
  /** Jitter 0.5 (reconnecting-websocket's and the ws-client's default). */
  jitter: once(() => courseStorm({ ...D, jitter: 0.5 })),
  /** A short queue in front of the balancer, without and with jitter. */
  queue: once(() => courseStorm({ ...D, queuePackets: SHORT_QUEUE })),
  queueJitter: once(() => courseStorm({ ...D, queuePackets: SHORT_QUEUE, jitter: 0.5 })),
  /** The machine loses power instead. */
  power: once(() => courseStorm({ ...D, failure: 'power' })),
  /** The clients keep every message until the server acknowledges it. */
  resume: once(() => courseStorm({ ...D, resume: true })),
  /** The same loss with power: messages sent into the silence. */
  powerResume: once(() => courseStorm({ ...D, failure: 'power', resume: true })),
  /** Consistent hashing; and option redispatch. */
  consistent: once(() => courseStorm({ ...D, hashType: 'consistent' })),
  redispatch: once(() => courseStorm({ ...D, redispatch: true })),
};

const num = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const sec = (ms: number | null, digits = 2) => (ms === null ? 'not within the run' : `${num(ms / 1000, digits)} s`);
const load = (r: StormResult, when: 'before' | 'after') => r.servers.map((s) => num(s[when])).join(' / ');

export function stormFigures() {
  const base = stormRuns.base();
  const jitter = stormRuns.jitter();
  const queue = stormRuns.queue();
  const queueJ = stormRuns.queueJitter();
  const power = stormRuns.power();
  const resume = stormRuns.resume();
  const powerResume = stormRuns.powerResume();
  const consistent = stormRuns.consistent();
  const redispatch = stormRuns.redispatch();
  const after = (r: StormResult) => (r.downAtMs === null ? null : r.downAtMs - r.failAtMs);
  return {
    clients: num(D.clients),
    servers: num(D.servers),
    failAt: `${FAIL_AT_S} s`,
    heartbeat: `${HEARTBEAT_S} s`,
    shortQueue: `${SHORT_QUEUE} packets`,
    // The default run.
    displaced: num(base.displaced),
    loadBefore: load(base, 'before'),
    loadAfter: load(base, 'after'),
    downAfter: sec(after(base)),
    gaveUp: num(base.balancerGaveUp),
    allBack: sec(base.allBackAfterMs),
    peak: num(base.peakAttempts),
    attempts: num(base.attempts),
    notDelivered: num(base.notDelivered),
    sent: num(base.sent),
    // Jitter.
    jitterPeak: num(jitter.peakAttempts),
    jitterAllBack: sec(jitter.allBackAfterMs),
    jitterMedianBack: sec(jitter.medianBackAfterMs),
    baseMedianBack: sec(base.medianBackAfterMs),
    // A short queue.
    queueDrops: num(queue.drops),
    queueRetransmits: num(queue.handshakeRetransmits),
    queueAllBack: sec(queue.allBackAfterMs),
    queueJitterRetransmits: num(queueJ.handshakeRetransmits),
    queueJitterDrops: num(queueJ.drops),
    queueJitterAllBack: sec(queueJ.allBackAfterMs),
    // Power.
    powerDownAfter: sec(after(power)),
    powerAllBack: sec(power.allBackAfterMs),
    powerNotDelivered: num(power.notDelivered),
    powerPeak: num(power.peakAttempts),
    // Resume.
    resumeNotDelivered: num(resume.notDelivered),
    resumeDuplicates: num(resume.duplicates),
    powerResumeNotDelivered: num(powerResume.notDelivered),
    powerResumeDuplicates: num(powerResume.duplicates),
    // Hashing and redispatch.
    rehashed: `${rehashedPercent('map-based', D.servers, D.clients)} %`,
    consistentLoadBefore: load(consistent, 'before'),
    consistentLoadAfter: load(consistent, 'after'),
    redispatchAllBack: sec(redispatch.allBackAfterMs),
  };
}
