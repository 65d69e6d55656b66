/**
 * The client's keepalive (3.1.1 section 3.1.2.10, MQTT 5 section 3.1.2.10): when to send PINGREQ
 * and when a missing PINGRESP means the connection is dead. Sans-IO: the client tells it what it
 * sent and received, and asks it what is due at `now`.
 *
 * Rule: PINGREQ when nothing was sent for the keepalive interval ([MQTT-3.1.2-23]); no PINGRESP
 * within the ping timeout (default half the interval, as mqtt.js 5 gives up at 1.5 intervals)
 * closes the connection.
 */
import type { Micros } from '../../core/time.ts';

export class KeepaliveTimer {
  /** The interval; 0 turns keepalive off. */
  #interval: Micros = 0;
  #timeout: Micros | undefined;
  #lastSent: Micros = 0;
  #pingDeadline: Micros | undefined;

  /** A connection starts (or CONNACK set a Server Keep Alive): `interval` is in microseconds. */
  start(interval: Micros, timeout: Micros | undefined): void {
    this.#interval = interval;
    this.#timeout = timeout;
    this.#pingDeadline = undefined;
  }

  /** MQTT 5 Server Keep Alive replaces the client's interval ([MQTT-3.2.2-22]). */
  setInterval(interval: Micros): void {
    this.#interval = interval;
  }

  /** Every packet the client writes. */
  sent(now: Micros): void {
    this.#lastSent = now;
  }

  /** Every packet the client reads. */
  received(cmd: string): void {
    if (cmd === 'pingresp') this.#pingDeadline = undefined;
  }

  /** The connection is gone. */
  stop(): void {
    this.#pingDeadline = undefined;
  }

  /** When the keepalive next needs the client woken, while connected. */
  next(): Micros | undefined {
    if (this.#interval <= 0) return undefined;
    return this.#pingDeadline ?? this.#lastSent + this.#interval;
  }

  /** What is due at `now`: give up on the connection, send PINGREQ (then call `pinged`), or nothing. */
  due(now: Micros): 'timeout' | 'ping' | undefined {
    if (this.#pingDeadline !== undefined && now >= this.#pingDeadline) return 'timeout';
    if (this.#interval > 0 && this.#pingDeadline === undefined && now >= this.#lastSent + this.#interval) return 'ping';
    return undefined;
  }

  /** PINGREQ went out at `now`: a PINGRESP is awaited until the timeout. */
  pinged(now: Micros): void {
    this.#pingDeadline = now + (this.#timeout ?? Math.floor(this.#interval / 2));
  }
}
