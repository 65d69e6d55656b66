/**
 * The opening handshake's own bookkeeping (RFC 9293 3.5): the SYN or SYN-ACK, its retransmission
 * with a doubling timeout (RFC 6298 5.5) up to `maxSynRetries` / `maxSynAckRetries` (Linux
 * tcp_syn_retries = 6, tcp_synack_retries = 5), and what the handshake teaches the RTO: a sample
 * when nothing was resent, else the timestamp echo, else the 3 s fallback (RFC 6298 5.7); and a
 * one-segment initial window after two or more retransmissions (Linux tcp_init_transfer). It
 * also puts our options on the SYN. The state transitions stay in ./connection.ts.
 */
import type { Micros } from '../../core/time.ts';
import type { TcpOptions, TcpSegment } from './api.ts';
import { EMPTY, SYN, SYN_ACK, toWire, tsClock, tsRtt } from './seq.ts';
import type { Receiver } from './receiver.ts';
import { segmentWireBytes } from './wire.ts';
import type { Sender } from './sender.ts';

export class Handshake {
  #sentAt: Micros = 0;
  #retransmitted = false;
  #retries = 0;
  /** SYNs or SYN-ACKs sent again, for whatever reason (Linux total_retrans). */
  #resent = 0;

  constructor(
    readonly o: Required<TcpOptions>,
    readonly ports: { localPort: number; remotePort: number },
  ) {}

  /**
   * The SYN (active open), or the SYN-ACK when `rcv` holds the peer's SYN (passive open), to put
   * on the wire now. The SYN offers what our options enable; the SYN-ACK only what both offer.
   * Arms `snd`'s retransmission timer.
   */
  segment(now: Micros, snd: Sender, rcv: Receiver | undefined, retransmission: boolean): TcpSegment {
    const passive = rcv !== undefined;
    const flags = passive ? SYN_ACK : SYN;
    if (retransmission) {
      this.#retransmitted = true;
      this.#resent++;
    }
    this.#sentAt = now;
    snd.rtoDeadline = now + snd.rtt.rto;
    const seg: TcpSegment = {
      srcPort: this.ports.localPort,
      dstPort: this.ports.remotePort,
      seq: toWire(snd.iss, snd.wireOffset),
      ack: passive ? rcv.wireAck : 0,
      flags,
      // The full window, as on every segment: window scaling is implied, not modelled (a real
      // SYN carries at most 65 535 and the scale option).
      window: this.o.receiveWindow,
      payload: EMPTY,
      wireBytes: segmentWireBytes(0, this.o.synOptionBytes),
      retransmission,
    };
    // Timestamps (RFC 7323 section 3.2): a SYN carries TSval with TSecr 0; a SYN-ACK echoes.
    if (passive ? rcv.tsOk : this.o.timestamps) seg.ts = { val: tsClock(now), ecr: passive ? rcv.tsRecent : 0 };
    if (passive ? rcv.sackOk : this.o.sack) seg.sackOk = true; // RFC 2018 section 2
    return seg;
  }

  /** The timer fired: false when the retries are spent (the attempt fails), else back off. */
  retry(passive: boolean, snd: Sender): boolean {
    const limit = passive ? this.o.maxSynAckRetries : this.o.maxSynRetries;
    if (this.#retries >= limit) return false;
    this.#retries++;
    snd.rtt.backoff();
    return true;
  }

  /**
   * Our SYN was acknowledged at `now` by `ack`: hand the sender what the handshake measured. A
   * resent SYN gives no sample of its own (Karn), but its timestamp echo does (Linux
   * tcp_ack_update_rtt, for the SYN-ACK tcp_synack_rtt_meas); only with neither does the RTO
   * fall back to 3 s (Linux tcp_init_metrics).
   */
  completed(now: Micros, snd: Sender, ack: TcpSegment): void {
    snd.established();
    if (!this.#retransmitted) snd.rtt.sample(now - this.#sentAt, snd.iss + 1, snd.iss + 1);
    else if (snd.tsOk && ack.ts !== undefined && ack.ts.ecr !== 0) snd.rtt.sample(tsRtt(now, ack.ts.ecr), snd.iss + 1, snd.iss + 1);
    else snd.rtt.set(this.o.rtoFallback); // RFC 6298 5.7
    // RFC 5681 3.1 asks for a one-segment window after a lost SYN; Linux (tcp_init_transfer)
    // does so only after more than one SYN or SYN-ACK retransmission, given the 1 s initial RTO.
    if (this.#resent > 1) snd.recovery.synLost();
  }
}
