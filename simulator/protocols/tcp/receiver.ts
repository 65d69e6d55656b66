/**
 * The receive side of one connection: in-order delivery, the out-of-order store, the peer's FIN,
 * and (through ./delayed-ack.ts) when our ACK leaves. The connection (./connection.ts) keeps the
 * state machine and calls `receive` for every synchronized segment that carries data or a FIN.
 *
 * - Out-of-order data is kept (RFC 9293 3.10.7.4) and answered with an immediate duplicate ACK
 *   (RFC 5681 4.2); data that fills a hole is ACKed at once (RFC 5681 4.2).
 * - Data entirely old (a retransmission of what we have) is ACKed at once and puts the receiver
 *   back in quick-ACK mode (Linux tcp_data_queue: tcp_enter_quickack_mode).
 * - The FIN is taken once everything before it arrived; it is ACKed at once.
 * - SACK (RFC 2018, ./sack.ts): once negotiated, every segment we send while out-of-order data
 *   is held carries the blocks. Data that arrives twice is reported in a D-SACK block (RFC 2883,
 *   Linux tcp_send_dupack, tcp_data_queue, tcp_data_queue_ofo): all of an old segment, the old
 *   part of one that straddles RCV.NXT, the part of out-of-order data already held.
 * - Timestamps (RFC 7323 section 4.3, Linux tcp_replace_ts_recent): we echo TS.Recent, the TSval
 *   of the last segment that did not start beyond the ACK we last sent (Last.ACK.sent, Linux
 *   rcv_wup). So a delayed ACK echoes the earliest segment it covers, a duplicate ACK for
 *   out-of-order data echoes the last in-order one, and the ACK for a retransmission that fills
 *   a hole echoes the retransmission: the sender's RTT sample is always one true round trip.
 */
import type { Micros } from '../../core/time.ts';
import type { TcpEvent, TcpFlags, TcpOptions, TcpSegment } from './api.ts';
import { DelayedAck, type RttView } from './delayed-ack.ts';
import { SackBlocks, sackOptionBytes } from './sack.ts';
import { BASE_SEQ, type Queue, fromWire, seqOffset, toWire, tsClock } from './seq.ts';
import { segmentWireBytes } from './wire.ts';
import { Reassembly } from './reassembly.ts';

/**
 * The receive side is also its delayed-ACK policy (`ack`, ./delayed-ack.ts): one object per
 * connection, not two (memory: an object header and three fields fewer).
 */
export class Receiver extends DelayedAck {
  /** RCV.NXT (RFC 9293 3.3.1), counted inside from BASE_SEQ for the peer's IRS (./seq.ts). */
  nxt = 0;
  /** Internal to wire sequence numbers of the peer's direction: IRS - BASE_SEQ as an int32. */
  #wireOffset = 0;
  /**
   * Out-of-order data, and the SACK blocks we report: made when first needed and let go once
   * empty, as most connections never see a hole (nothing held per connection for them).
   */
  #held: Reassembly | undefined;
  #sack: SackBlocks | undefined;
  /** Sequence number of the peer's FIN once seen (it may arrive before the data before it). */
  #fin: number | undefined;
  #eofDelivered = false;
  /** Both SYNs carried the timestamps option. */
  tsOk = false;
  /** Both SYNs carried SACK-permitted: our ACKs carry SACK blocks (RFC 2018). */
  sackOk = false;
  /** TS.Recent (RFC 7323 section 4.3): the TSval we echo. */
  tsRecent = 0;
  /** Last.ACK.sent (RFC 7323 section 4.3; Linux rcv_wup): the ACK number we last sent. */
  #lastAckSent = 0;

  declare readonly o: Readonly<Required<TcpOptions>>;

  constructor(
    o: Readonly<Required<TcpOptions>>,
    /** Where each run of in-order bytes goes as a 'data' event, and the FIN as 'eof'. */
    readonly events: Queue<TcpEvent>,
    /** Our RTT estimate (the ACK timeout adapts to it). */
    rtt?: RttView,
  ) {
    super(o, rtt);
  }

  /** When our ACK leaves (./delayed-ack.ts): this object. */
  get ack(): DelayedAck {
    return this;
  }

  /** The peer's SYN arrived with sequence number `irs` (and TSval `tsVal` if timestamps are on). */
  synReceived(irs: number, tsVal: number | undefined): void {
    this.#wireOffset = seqOffset(irs);
    this.nxt = BASE_SEQ + 1;
    this.#lastAckSent = this.nxt;
    if (this.tsOk && tsVal !== undefined) this.tsRecent = tsVal;
  }

  /** The peer's initial sequence number, as on the wire. */
  get irs(): number {
    return toWire(BASE_SEQ, this.#wireOffset);
  }

  /** RCV.NXT as on the wire: the ACK number we send. */
  get wireAck(): number {
    return toWire(this.nxt, this.#wireOffset);
  }

  /** The internal sequence number nearest RCV.NXT of the peer's sequence number `wire`. */
  seqFromWire(wire: number): number {
    return fromWire(wire, this.#wireOffset, this.nxt);
  }

  /** RFC 7323 4.3 (2): keep the TSval of a segment that does not start beyond Last.ACK.sent. */
  noteTimestamp(seg: TcpSegment, seq: number): void {
    if (this.tsOk && seg.ts !== undefined && seq <= this.#lastAckSent && seg.ts.val >= this.tsRecent) this.tsRecent = seg.ts.val;
  }

  /** Whether `[seq, end)` holds nothing we have not yet received. */
  isOld(seq: number, len: number, fin: boolean): boolean {
    const end = seq + len;
    return end < this.nxt || (end === this.nxt && !fin);
  }

  /**
   * A segment with data or a FIN, its sequence number unwrapped. Returns true when it completed
   * the stream: the FIN is in.
   */
  receive(seq: number, payload: Uint8Array, fin: boolean, now: Micros, psh = false): boolean {
    const end = seq + payload.length;
    if (fin) this.#fin = end;
    const dsack = this.sackOk && this.o.dsack && payload.length > 0;
    if (this.isOld(seq, payload.length, fin)) {
      if (dsack) this.#sackBlocks().duplicate(seq, Math.min(end, this.nxt));
      this.ack.ackNow = true;
      this.ack.enterQuickAck();
      return false;
    }
    if (seq > this.nxt) {
      // Out of order: keep it for later and send a duplicate ACK at once.
      if (seq < this.nxt + this.o.receiveWindow && payload.length > 0) {
        const held = (this.#held ??= new Reassembly());
        const again = dsack ? held.overlap(seq, end) : undefined;
        if (again !== undefined) this.#sackBlocks().duplicate(again[0], again[1]);
        held.hold(seq, payload);
        if (this.sackOk) this.#sackBlocks().add(seq, end);
      }
      this.ack.ackNow = true;
      return false;
    }
    // Linux tcp_data_queue: the part before RCV.NXT arrived before.
    if (dsack && seq < this.nxt) this.#sackBlocks().duplicate(seq, this.nxt);
    // Linux tcp_event_data_recv: after a silence longer than the RTO, ACK quickly again.
    this.ack.onInOrderData(now);
    if (payload.length > 0) this.ack.measure(payload.length, psh || fin);
    const held = this.#held;
    const fillsHole = held !== undefined && !held.isEmpty;
    const data = seq === this.nxt ? payload : payload.subarray(this.nxt - seq);
    if (data.length > 0) this.#take(data);
    if (held !== undefined) {
      // Data kept from earlier that now follows on.
      for (let next = held.take(this.nxt); next !== undefined; next = held.take(this.nxt)) this.#take(next);
      if (held.isEmpty) this.#held = undefined;
    }
    if (fillsHole && this.#sack !== undefined) {
      this.#sack.advance(this.nxt);
      if (this.#sack.isEmpty) this.#sack = undefined;
    }
    if (this.#fin !== undefined && this.#fin === this.nxt && !this.#eofDelivered) {
      this.nxt += 1;
      this.#eofDelivered = true;
      this.ack.ackNow = true;
      this.events.push({ type: 'eof' });
      return true;
    }
    this.ack.schedule(now, fillsHole);
    return false;
  }

  /**
   * The segment the sender made (`seq` as on the wire, `flags`, `payload`, `extra` bytes of TLS records on the
   * wire) as it leaves, with what the receive side puts on every segment (Linux
   * tcp_transmit_skb, tcp_established_options): our ACK number, window, timestamps and SACK
   * blocks, whose bytes count on the wire. Any pending ACK leaves with it.
   */
  stamp(seq: number, flags: TcpFlags, payload: Uint8Array, extra: number, retransmission: boolean, ports: { localPort: number; remotePort: number }, now: Micros): TcpSegment {
    if (flags.ack) {
      this.ack.onAckSent();
      this.#lastAckSent = this.nxt;
    }
    const seg: TcpSegment = {
      srcPort: ports.localPort,
      dstPort: ports.remotePort,
      seq,
      ack: this.wireAck,
      flags,
      window: this.o.receiveWindow,
      payload,
      wireBytes: segmentWireBytes(payload.length, this.o.tcpOptionBytes) + extra,
      retransmission,
    };
    if (this.tsOk) seg.ts = { val: tsClock(now), ecr: this.tsRecent };
    const sack = this.#sack;
    if (this.sackOk && sack !== undefined && !sack.isEmpty && flags.ack && !flags.rst) {
      const blocks = sack.onWire(this.o.tcpOptionBytes);
      seg.sack = blocks.map(([l, r]) => [toWire(l, this.#wireOffset), toWire(r, this.#wireOffset)]);
      seg.wireBytes += sackOptionBytes(blocks.length);
      sack.sent();
      if (sack.isEmpty) this.#sack = undefined;
    }
    return seg;
  }

  /** Out-of-order bytes waiting for a hole to fill (read-only, for accounting). */
  get outOfOrderBytes(): number {
    return this.#held?.heldBytes ?? 0;
  }

  /** Option bytes our next segment's SACK blocks take (Linux tcp_current_mss takes them off the MSS). */
  get sackBytes(): number {
    const sack = this.#sack;
    return this.sackOk && sack !== undefined && !sack.isEmpty ? sackOptionBytes(sack.onWire(this.o.tcpOptionBytes).length) : 0;
  }

  #sackBlocks(): SackBlocks {
    return (this.#sack ??= new SackBlocks());
  }

  #take(data: Uint8Array): void {
    this.nxt += data.length;
    this.ack.onDelivered(data.length);
    this.events.push({ type: 'data', data });
  }
}
