/**
 * One direction of an access link: a FIFO queue with tail drop, a transmitter of fixed bandwidth
 * (serialization delay = bytes * 8 / bps), then a medium with propagation latency, per-packet
 * jitter and loss.
 *
 * What happens to a packet offered at time `now`, in order:
 * 1. `link-send` is traced; the packet gets this direction's next index (0, 1, 2, ...), which is
 *    the `packet` field of its trace records and the index `dropList` names.
 * 2. Larger than `mtuBytes`: dropped, reason 'mtu' (no fragmentation; TCP's MSS keeps under it).
 * 3. The idle-timeout middlebox, when configured, may drop it: 'idle-timeout'.
 * 4. The queue: if the packets (or bytes) waiting behind the one in transmission are at the limit,
 *    tail drop, 'queue-full'. Otherwise it starts transmission at txStart = max(now, end of the
 *    previous transmission) and occupies the transmitter until txEnd = txStart + serialization.
 * 5. On the medium, decided at txStart, first cause wins: inside an outage ('outage'), named by
 *    the list ('list-loss'), Gilbert-Elliott ('burst-loss'), Bernoulli ('loss'). A lost packet
 *    still used its transmission time, as on a real medium.
 * 6. Otherwise it arrives at txEnd + latency + jitter, jitter drawn uniform in [0, jitterMs] per
 *    packet. Arrival times are not forced into order: jitter larger than the gap between two
 *    packets reorders them, as on a real path with parallel routes or wireless retries.
 *
 * Every packet ends in exactly one `link-receive` or `link-drop` (or is still on its way when the
 * run ends), so per-link counts add up.
 */
import type { Rng } from '../core/rng.ts';
import type { Scheduler } from '../core/scheduler.ts';
import type { Micros } from '../core/time.ts';
import { ms } from '../core/time.ts';
import type { ConnId, DropReason, LinkId, TraceSink } from '../core/trace.ts';
import { emitLinkPacket } from '../core/trace.ts';
import type { LinkConfig } from './config.ts';
import { DEFAULT_MTU_BYTES, DEFAULT_QUEUE_PACKETS, validateLinkConfig } from './config.ts';
import { BernoulliLoss, GilbertElliottLoss, ListLoss, OutageSchedule } from './loss.ts';
import type { IdleTimeoutMiddlebox } from './middlebox.ts';

/** What a link carries: an IP packet of `bytes` bytes (headers included) with an opaque payload. */
export interface Packet<P = unknown> {
  src: string;
  dst: string;
  bytes: number;
  /** Connection the packet belongs to, for traces and the middlebox. */
  conn?: ConnId;
  payload: P;
  /** Called once when the packet leaves the network: dropped on a link, or handed to its node. */
  done?: () => void;
}

export interface LinkDeps {
  scheduler: Scheduler;
  trace: TraceSink;
  /** The run's root stream; the link forks `link:${id}:loss`, `:burst-loss`, `:jitter` from it. */
  rng: Rng;
  middlebox?: IdleTimeoutMiddlebox;
  /** The link's number in its network (default 0), given with its trace records (core/trace.ts TraceSink.linkPacket). */
  index?: number;
}

/** Serialization delay of `bytes` at `bps` bits per second, in whole microseconds (rounded). */
export function serializationDelay(bytes: number, bps: number): Micros {
  if (!(bps > 0)) return 0;
  return Math.round((bytes * 8 * 1_000_000) / bps);
}

export class Link {
  readonly latency: Micros;
  readonly jitter: Micros;
  readonly bps: number;
  readonly queuePackets: number;
  readonly queueBytes: number | undefined;
  readonly mtuBytes: number;
  /** Its number in its network (LinkDeps.index): StarNetwork numbers node k's uplink 2k and its downlink 2k + 1. */
  readonly index: number;
  #offered = 0;
  #busyUntil: Micros = 0;
  /**
   * Accepted packets in order of txStart (their start and size; two arrays, no object per
   * packet); those with txStart > now are still waiting. Made when a packet first has to wait
   * (most links of a fleet never queue).
   */
  #pendingStart: Micros[] | undefined;
  #pendingBytes: number[] | undefined;
  #pendingHead = 0;
  #waitingBytes = 0;
  readonly #bernoulli: BernoulliLoss | undefined;
  readonly #burst: GilbertElliottLoss | undefined;
  readonly #list: ListLoss | undefined;
  readonly #outages: OutageSchedule | undefined;
  readonly #jitterRng: Rng | undefined;
  readonly #scheduler: Scheduler;
  readonly #trace: TraceSink;
  readonly #middlebox: IdleTimeoutMiddlebox | undefined;

  constructor(
    readonly id: LinkId,
    readonly config: LinkConfig,
    deps: LinkDeps,
    /** Called when a packet arrives at the far end. */
    public deliver: (packet: Packet) => void = () => {},
  ) {
    validateLinkConfig(config, `link ${id}`);
    this.#scheduler = deps.scheduler;
    this.#trace = deps.trace;
    this.#middlebox = deps.middlebox;
    this.index = deps.index ?? 0;
    this.latency = ms(config.latencyMs);
    this.jitter = ms(config.jitterMs);
    this.bps = (config.bandwidthKbps ?? 0) * 1000;
    this.queuePackets = config.queuePackets ?? DEFAULT_QUEUE_PACKETS;
    this.queueBytes = config.queueBytes;
    this.mtuBytes = config.mtuBytes ?? DEFAULT_MTU_BYTES;
    const burst = config.burstLoss;
    // With burstLoss given by its means, lossPct is the bursty process's mean, not extra Bernoulli loss.
    const lossIsBurstMean = burst !== undefined && burst.meanBurstPackets !== undefined && burst.lossPct === undefined;
    if (config.lossPct > 0 && !lossIsBurstMean) {
      this.#bernoulli = new BernoulliLoss(config.lossPct, deps.rng.leaf(`link:${id}:loss`));
    }
    if (burst !== undefined) {
      this.#burst = new GilbertElliottLoss(GilbertElliottLoss.fromConfig(burst, config.lossPct), deps.rng.leaf(`link:${id}:burst-loss`));
    }
    if (config.dropList !== undefined && config.dropList.length > 0) this.#list = new ListLoss(config.dropList);
    if (config.outages !== undefined && config.outages.length > 0) this.#outages = new OutageSchedule(config.outages);
    if (this.jitter > 0) this.#jitterRng = deps.rng.leaf(`link:${id}:jitter`);
  }

  /**
   * Asked when a packet reaches the far end, before it is traced as received: a reason makes it a
   * drop there instead (the core uses it for 'no-route').
   */
  refuse: ((packet: Packet) => DropReason | undefined) | undefined;

  /** Packets offered so far (the next packet's index). */
  get offered(): number {
    return this.#offered;
  }

  /** Packets waiting behind the one in transmission at `now`. */
  waitingAt(now: Micros): number {
    this.#release(now);
    return (this.#pendingStart?.length ?? 0) - this.#pendingHead;
  }

  /** Offers a packet to this direction at `now` (the scheduler's current time). */
  send(packet: Packet, now: Micros = this.#scheduler.now): void {
    const index = this.#offered++;
    const conn = packet.conn;
    emitLinkPacket(this.#trace, now, 'link-send', this.id, this.index, index, packet.bytes, conn);

    if (packet.bytes > this.mtuBytes) return this.#drop(now, index, packet, 'mtu');
    if (this.#middlebox !== undefined && !this.#middlebox.pass(conn, now)) return this.#drop(now, index, packet, 'idle-timeout');

    this.#release(now);
    const waiting = (this.#pendingStart?.length ?? 0) - this.#pendingHead;
    if (this.#busyUntil > now) {
      // The transmitter is busy: this packet has to wait in the queue.
      const full = waiting >= this.queuePackets ||
        (this.queueBytes !== undefined && this.#waitingBytes + packet.bytes > this.queueBytes);
      if (full) return this.#drop(now, index, packet, 'queue-full');
    }
    const txStart = Math.max(now, this.#busyUntil);
    const txEnd = txStart + serializationDelay(packet.bytes, this.bps);
    this.#busyUntil = txEnd;
    if (txStart > now) {
      (this.#pendingStart ??= []).push(txStart);
      (this.#pendingBytes ??= []).push(packet.bytes);
      this.#waitingBytes += packet.bytes;
    }

    // Every model draws for every packet on the wire, so one model never shifts another's stream.
    const burstLost = this.#burst?.lose() ?? false;
    const randomLost = this.#bernoulli?.lose() ?? false;
    const jitter = this.#jitterRng === undefined ? 0 : Math.floor(this.#jitterRng.float() * (this.jitter + 1));
    let reason: DropReason | undefined;
    if (this.#outages?.covers(txStart)) reason = 'outage';
    else if (this.#list?.lose(index)) reason = 'list-loss';
    else if (burstLost) reason = 'burst-loss';
    else if (randomLost) reason = 'loss';

    if (reason !== undefined) {
      const why = reason;
      if (txStart === now) this.#drop(now, index, packet, why);
      else this.#scheduler.at(txStart, () => this.#drop(txStart, index, packet, why));
      return;
    }
    this.#scheduler.post(txEnd + this.latency + jitter, Link.#arrive, this, packet, index);
  }

  /** A packet's arrival at the far end of `link`: one function for every link's events, the link an argument (no closure per link). */
  static readonly #arrive = (link: Link, packet: Packet, index: number): void => link.#arrived(packet, index);

  /** The packet reached the far end (an event of its own). */
  #arrived(packet: Packet, index: number): void {
    const arrival = this.#scheduler.now;
    const refused = this.refuse?.(packet);
    if (refused !== undefined) return this.#drop(arrival, index, packet, refused);
    emitLinkPacket(this.#trace, arrival, 'link-receive', this.id, this.index, index, packet.bytes, packet.conn);
    this.deliver(packet);
  }

  #drop(t: Micros, index: number, packet: Packet, reason: DropReason): void {
    this.#trace.emit(packet.conn === undefined
      ? { t, kind: 'link-drop', link: this.id, packet: index, bytes: packet.bytes, reason }
      : { t, kind: 'link-drop', link: this.id, packet: index, bytes: packet.bytes, reason, conn: packet.conn });
    packet.done?.();
  }

  /** Forgets waiting entries whose transmission has started by `now`. */
  #release(now: Micros): void {
    const starts = this.#pendingStart;
    if (starts === undefined) return;
    const n = starts.length;
    let head = this.#pendingHead;
    while (head < n && starts[head]! <= now) {
      this.#waitingBytes -= this.#pendingBytes![head]!;
      head++;
    }
    if (head > 0 && head === n) {
      // All started: empty the arrays in place (no new arrays per packet).
      starts.length = 0;
      this.#pendingBytes!.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > n) {
      this.#pendingStart = starts.slice(head);
      this.#pendingBytes = this.#pendingBytes!.slice(head);
      head = 0;
    }
    this.#pendingHead = head;
  }
}
