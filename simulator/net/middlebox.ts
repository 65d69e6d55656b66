/**
 * An idle-timeout middlebox: a NAT or stateful proxy on a node's access link. It keeps one entry
 * per connection, refreshed by every packet in either direction. A connection silent for longer
 * than the timeout is forgotten; its later packets (both ways, RST included) are dropped without
 * a word, as a NAT that lost its mapping does. Endpoints notice only through their own timeouts or
 * heartbeats, which is why WebSocket pings and MQTT keepalive exist (RFC 4787 REQ-5 asks UDP
 * mappings to last at least 2 minutes; RFC 5382 REQ-5 asks 2 h 4 min for established TCP, and
 * real carrier NATs and proxies often use far less).
 *
 * A new connection (a new connection id: new ports) gets a new entry.
 */
import type { Micros } from '../core/time.ts';
import type { ConnId } from '../core/trace.ts';

export class IdleTimeoutMiddlebox {
  readonly #lastSeen = new Map<ConnId, Micros>();
  readonly #forgotten = new Set<ConnId>();

  constructor(readonly timeout: Micros) {}

  /** Records a packet of `conn` at `now`; false when the middlebox drops it. */
  pass(conn: ConnId | undefined, now: Micros): boolean {
    if (conn === undefined) return true;
    if (this.#forgotten.has(conn)) return false;
    const last = this.#lastSeen.get(conn);
    if (last !== undefined && now - last > this.timeout) {
      this.#lastSeen.delete(conn);
      this.#forgotten.add(conn);
      return false;
    }
    this.#lastSeen.set(conn, now);
    return true;
  }

  /** True when the middlebox has forgotten `conn`. */
  forgot(conn: ConnId): boolean {
    return this.#forgotten.has(conn);
  }
}
