/**
 * The client's keepalive (3.1.1 section 3.1.2.10, MQTT 5 section 3.1.2.10): when to send PINGREQ
 * and when a missing PINGRESP means the connection is dead. Sans-IO: the client tells it what it
 * sent and received, and asks it what is due at `now`.
 *
 * Two rules (option `keepaliveRule`):
 * - 'mqtt.js' (the default; mqtt.js 5, src/lib/handlers/index.ts and KeepaliveManager.ts): the
 *   timer starts at CONNACK and restarts only when a PUBACK, PUBREC, PUBCOMP, PUBREL, SUBACK,
 *   UNSUBACK, AUTH or PINGRESP arrives, never when the client sends, nor when a PUBLISH arrives.
 *   A keepalive after the last restart it sends PINGREQ; half a keepalive later, with no restart,
 *   it gives up (its timer ticks every keepalive/2 and counts to 2, then 3). So a QoS 0 publisher
 *   sending 20 messages a second still pings every keepalive, and a QoS 1 publisher whose PUBACKs
 *   stop coming gives up 1.5 keepalives after the last one.
 * - 'idle': the specification's minimum ([MQTT-3.1.2-23]): PINGREQ when nothing was sent for a
 *   keepalive, give up half a keepalive after it without PINGRESP.
 * `pingTimeoutS` replaces the half keepalive in both.
 */
import type { Micros } from '../../core/time.ts';

export type KeepaliveRule = 'mqtt.js' | 'idle';

/** The packets whose arrival restarts mqtt.js's keepalive timer. */
const MQTTJS_RESCHEDULE = new Set(['puback', 'pubrec', 'pubcomp', 'pubrel', 'suback', 'unsuback', 'auth', 'pingresp']);

export class KeepaliveTimer {
  /** The interval; 0 turns keepalive off. */
  #interval: Micros = 0;
  #timeout: Micros | undefined;
  /** When the timer last (re)started: the last send ('idle'), CONNACK or a restarting packet ('mqtt.js'). */
  #since: Micros = 0;
  #pingDeadline: Micros | undefined;

  constructor(readonly rule: KeepaliveRule = 'mqtt.js') {}

  /** A connection starts: `interval` in microseconds, `timeout` for PINGRESP (default half of it). */
  start(interval: Micros, timeout: Micros | undefined): void {
    this.#interval = interval;
    this.#timeout = timeout;
    this.#pingDeadline = undefined;
  }

  /** MQTT 5 Server Keep Alive replaces the client's interval ([MQTT-3.2.2-22]). */
  setInterval(interval: Micros): void {
    this.#interval = interval;
  }

  /** CONNACK accepted the connection. */
  connected(now: Micros): void {
    if (this.rule === 'mqtt.js') this.#restart(now);
  }

  /** Every packet the client writes. */
  sent(now: Micros): void {
    if (this.rule === 'idle') this.#since = now;
  }

  /** Every packet the client reads. */
  received(cmd: string, now: Micros): void {
    if (this.rule === 'mqtt.js' ? MQTTJS_RESCHEDULE.has(cmd) : cmd === 'pingresp') {
      if (this.rule === 'mqtt.js') this.#restart(now);
      else this.#pingDeadline = undefined;
    }
  }

  /** The connection is gone. */
  stop(): void {
    this.#pingDeadline = undefined;
  }

  /** When the keepalive next needs the client woken, while connected. */
  next(): Micros | undefined {
    if (this.#interval <= 0) return undefined;
    return this.#pingDeadline ?? this.#since + this.#interval;
  }

  /** What is due at `now`: give up on the connection, send PINGREQ (then call `pinged`), or nothing. */
  due(now: Micros): 'timeout' | 'ping' | undefined {
    if (this.#pingDeadline !== undefined && now >= this.#pingDeadline) return 'timeout';
    if (this.#interval > 0 && this.#pingDeadline === undefined && now >= this.#since + this.#interval) return 'ping';
    return undefined;
  }

  /** PINGREQ went out at `now`: a restart (or, with 'idle', PINGRESP) is awaited until the timeout. */
  pinged(now: Micros): void {
    this.#pingDeadline = now + (this.#timeout ?? Math.floor(this.#interval / 2));
  }

  #restart(now: Micros): void {
    this.#since = now;
    this.#pingDeadline = undefined;
  }
}
