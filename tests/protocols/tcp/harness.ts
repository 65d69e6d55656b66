/**
 * Test harness: two TcpConnections (A actively opens, B accepts) joined by a fake link with a
 * fixed one-way delay and no bandwidth limit, driven by the simulator's Scheduler. A drop rule
 * (ns-3's list error model, or a seeded Bernoulli) decides which segments never arrive.
 */
import { Scheduler, type EventHandle } from '../../../simulator/core/scheduler.ts';
import type { Micros } from '../../../simulator/core/time.ts';
import type { TcpEvent, TcpOptions, TcpSegment } from '../../../simulator/protocols/tcp/api.ts';
import { TcpConnection } from '../../../simulator/protocols/tcp/connection.ts';

export type Side = 'A' | 'B';

export interface SentInfo {
  t: Micros;
  from: Side;
  /** 1-based index among all segments this side sent. */
  n: number;
  /** 1-based index among this side's segments that carry payload (retransmissions included). */
  dataN: number | undefined;
  seg: TcpSegment;
  dropped: boolean;
}

export interface EventInfo {
  t: Micros;
  side: Side;
  ev: TcpEvent;
}

export type DropRule = (info: Omit<SentInfo, 'dropped'>) => boolean;

/** Drops exactly the named segments, e.g. `{ from: 'A', dataN: 3 }` or `{ from: 'B', n: 1 }`. */
export function dropList(list: { from: Side; n?: number; dataN?: number }[]): DropRule {
  return (i) => list.some((d) => d.from === i.from && (d.n === undefined || d.n === i.n) && (d.dataN === undefined || d.dataN === i.dataN));
}

export interface PairOptions {
  delay: Micros;
  optionsA?: Partial<TcpOptions>;
  optionsB?: Partial<TcpOptions>;
  drop?: DropRule;
  /** Extra delay for one segment (so later segments may overtake it: reordering). */
  jitter?: (info: Omit<SentInfo, 'dropped'>) => Micros;
  issA?: number;
  issB?: number;
  eventBudget?: number;
}

export class Pair {
  readonly sched: Scheduler;
  readonly a: TcpConnection;
  readonly b: TcpConnection;
  readonly sent: SentInfo[] = [];
  readonly events: EventInfo[] = [];
  readonly received: Record<Side, Uint8Array[]> = { A: [], B: [] };
  readonly delay: Micros;
  #drop: DropRule;
  #jitter: (info: Omit<SentInfo, 'dropped'>) => Micros;
  #count: Record<Side, { n: number; dataN: number }> = { A: { n: 0, dataN: 0 }, B: { n: 0, dataN: 0 } };
  #timers: Record<Side, EventHandle | undefined> = { A: undefined, B: undefined };
  #bAccepted = false;
  #onConnected: Record<Side, ((c: TcpConnection, now: Micros) => void)[]> = { A: [], B: [] };

  constructor(o: PairOptions) {
    this.sched = new Scheduler({ eventBudget: o.eventBudget ?? 5_000_000 });
    this.delay = o.delay;
    this.#drop = o.drop ?? (() => false);
    this.#jitter = o.jitter ?? (() => 0);
    this.a = new TcpConnection({ localPort: 40000, remotePort: 1883, iss: o.issA ?? 1000, options: o.optionsA });
    this.b = new TcpConnection({ localPort: 1883, remotePort: 40000, iss: o.issB ?? 5000, options: o.optionsB });
  }

  conn(side: Side): TcpConnection {
    return side === 'A' ? this.a : this.b;
  }

  /** A connects at the current time. */
  connect(): this {
    this.a.connect(this.sched.now);
    this.pump('A');
    return this;
  }

  /** Runs `fn` on `side`'s connection (then pumps it) as soon as that side is connected. */
  onConnected(side: Side, fn: (c: TcpConnection, now: Micros) => void): this {
    this.#onConnected[side].push(fn);
    return this;
  }

  /** Runs `fn` on `side`'s connection at time `at`, then pumps it. */
  at(at: Micros, side: Side, fn: (c: TcpConnection, now: Micros) => void): this {
    this.sched.at(at, () => {
      fn(this.conn(side), this.sched.now);
      this.pump(side);
    });
    return this;
  }

  run(until?: Micros): this {
    this.sched.run(until);
    return this;
  }

  /** Everything `side` received, concatenated. */
  bytes(side: Side): Uint8Array {
    const parts = this.received[side];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  receivedBytes(side: Side): number {
    return this.received[side].reduce((n, p) => n + p.length, 0);
  }

  segmentsFrom(side: Side): SentInfo[] {
    return this.sent.filter((s) => s.from === side);
  }

  eventsOf(side: Side, type?: TcpEvent['type']): EventInfo[] {
    return this.events.filter((e) => e.side === side && (type === undefined || e.ev.type === type));
  }

  pump(side: Side): void {
    const c = this.conn(side);
    const now = this.sched.now;
    for (let seg = c.nextSegment(); seg !== undefined; seg = c.nextSegment()) {
      const k = this.#count[side];
      k.n++;
      const dataN = seg.payload.length > 0 ? ++k.dataN : undefined;
      const info = { t: now, from: side, n: k.n, dataN, seg };
      const dropped = this.#drop(info);
      this.sent.push({ ...info, dropped });
      if (dropped) continue;
      const to: Side = side === 'A' ? 'B' : 'A';
      this.sched.at(now + this.delay + this.#jitter(info), () => this.#arrive(to, seg));
    }
    for (let ev = c.nextEvent(); ev !== undefined; ev = c.nextEvent()) {
      this.events.push({ t: now, side, ev });
      if (ev.type === 'data') this.received[side].push(ev.data);
      if (ev.type === 'connected') {
        for (const fn of this.#onConnected[side]) this.at(now, side, fn);
      }
    }
    const next = c.nextTimer();
    const current = this.#timers[side];
    if (current !== undefined && (next === undefined || current.at !== next)) {
      this.sched.cancel(current);
      this.#timers[side] = undefined;
    }
    if (next !== undefined && this.#timers[side] === undefined) {
      this.#timers[side] = this.sched.at(Math.max(next, now), () => {
        this.#timers[side] = undefined;
        c.handleTimer(this.sched.now);
        this.pump(side);
      });
    }
  }

  #arrive(to: Side, seg: TcpSegment): void {
    const c = this.conn(to);
    if (to === 'B' && !this.#bAccepted && seg.flags.syn && !seg.flags.ack) {
      this.#bAccepted = true;
      c.accept(seg, this.sched.now);
    } else {
      c.receiveSegment(seg, this.sched.now);
    }
    this.pump(to);
  }
}

/** Deterministic test bytes: byte i is a function of i, so misordering shows. */
export function pattern(n: number, salt = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >>> 8) * 7 + salt) & 0xff;
  return out;
}
