/**
 * The opening handshake's own bookkeeping (RFC 9293 3.5): the SYN or SYN-ACK, its retransmission
 * with a doubling timeout (RFC 6298 5.5) up to `maxSynRetries` / `maxSynAckRetries` (Linux
 * tcp_syn_retries = 6, tcp_synack_retries = 5), and what the handshake teaches the RTO: a sample
 * when nothing was resent, else the 3 s fallback (RFC 6298 5.7) and a one-segment initial window
 * (RFC 5681 3.1). The state transitions stay in ./connection.ts.
 */
import type { Micros } from '../../core/time.ts';
import type { TcpFlags, TcpOptions, TcpSegment } from './api.ts';
import { EMPTY, wireSeq } from './seq.ts';
import { segmentWireBytes } from './wire.ts';
import type { Sender } from './sender.ts';

export class Handshake {
  #sentAt: Micros = 0;
  #retransmitted = false;
  #retries = 0;

  constructor(
    readonly o: Required<TcpOptions>,
    readonly ports: { localPort: number; remotePort: number },
  ) {}

  /**
   * The SYN (active open) or SYN-ACK (passive, acknowledging `rcvNxt`) to put on the wire now.
   * Arms `snd`'s retransmission timer.
   */
  segment(now: Micros, snd: Sender, passive: boolean, rcvNxt: number, retransmission: boolean): TcpSegment {
    const flags: TcpFlags = passive ? { syn: true, ack: true } : { syn: true };
    if (retransmission) this.#retransmitted = true;
    this.#sentAt = now;
    snd.rtoDeadline = now + snd.rtt.rto;
    return {
      srcPort: this.ports.localPort,
      dstPort: this.ports.remotePort,
      seq: wireSeq(snd.iss),
      ack: passive ? wireSeq(rcvNxt) : 0,
      flags,
      // The full window, as on every segment: window scaling is implied, not modelled (a real
      // SYN carries at most 65 535 and the scale option).
      window: this.o.receiveWindow,
      payload: EMPTY,
      wireBytes: segmentWireBytes(0, this.o.synOptionBytes),
      retransmission,
    };
  }

  /** The timer fired: false when the retries are spent (the attempt fails), else back off. */
  retry(passive: boolean, snd: Sender): boolean {
    const limit = passive ? this.o.maxSynAckRetries : this.o.maxSynRetries;
    if (this.#retries >= limit) return false;
    this.#retries++;
    snd.rtt.backoff();
    return true;
  }

  /** Our SYN was acknowledged at `now`: hand the sender what the handshake measured. */
  completed(now: Micros, snd: Sender): void {
    snd.established();
    if (!this.#retransmitted) snd.rtt.sample(now - this.#sentAt, snd.iss + 1, snd.iss + 1);
    else {
      snd.rtt.set(this.o.rtoFallback); // RFC 6298 5.7
      snd.recovery.synLost();
    }
  }
}
