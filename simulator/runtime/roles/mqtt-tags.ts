/**
 * Which flow message each MQTT PUBLISH on the wire is, carried in the simulation's own metadata,
 * never in the payload bytes (as ns-3 carries packet tags beside the bytes, not in them).
 *
 * TCP delivers a connection's bytes in order and whole, and an MQTT receiver parses them in
 * order: so the k-th PUBLISH a receiver reads on a connection is the k-th its peer wrote there.
 * Each writer (mqtt-client, mqtt-broker) records, per connection and direction, the message id
 * of every PUBLISH it writes (`undefined` for one outside the flows: a will, a stranger's
 * message); the reader takes them in the same order. Bytes written into a connection that dies
 * never reach the reader, so what is left over is simply never read. Every operation is O(1).
 *
 * Inside the broker a message keeps the broker's sequence number (`seq` on its events), so the
 * broker role maps seq -> id when a PUBLISH comes in, and id follows the message to every
 * subscriber, queue drop and retained copy. Inside a client the decoded payload object travels
 * from the packet to the application's message event, so the subscriber maps that object -> id
 * (a WeakMap: object identity, not content).
 *
 * Each queue is one object for the whole run, per writer and connection id: a new connection with
 * an id seen before empties it rather than replacing it, so a role may keep the queues of its
 * connection (`opened`, `queue`) and skip the two map lookups per PUBLISH.
 */
import type { ConnId, NodeId } from '../../core/trace.ts';
import type { RoleContext } from '../api.ts';
import { Fifo } from '../../protocols/mqtt/fifo.ts';

/** The ids of the PUBLISH packets written on each connection, per writing node. */
export class WireTags {
  /** By writer, then by connection: two lookups and no key string made per PUBLISH. */
  readonly #queues = new Map<NodeId, Map<ConnId, Fifo<number | undefined>>>();

  #of(writer: NodeId): Map<ConnId, Fifo<number | undefined>> {
    let byConn = this.#queues.get(writer);
    if (byConn === undefined) this.#queues.set(writer, (byConn = new Map()));
    return byConn;
  }

  /**
   * The ids of the PUBLISHes `writer` writes on `conn`, in order: the writer push()es one per
   * PUBLISH it writes (undefined: none), the reader shift()s one per PUBLISH it parses.
   */
  queue(writer: NodeId, conn: ConnId): Fifo<number | undefined> {
    const byConn = this.#of(writer);
    let q = byConn.get(conn);
    if (q === undefined) byConn.set(conn, (q = new Fifo()));
    return q;
  }

  /** A new connection `conn` written by `writer`: forget anything left from an earlier one with that id. Its queue. */
  opened(writer: NodeId, conn: ConnId): Fifo<number | undefined> {
    const q = this.queue(writer, conn);
    q.clear();
    return q;
  }

  /** `writer` wrote a PUBLISH on `conn` carrying flow message `id` (undefined: none). */
  wrote(writer: NodeId, conn: ConnId, id: number | undefined): void {
    this.queue(writer, conn).push(id);
  }

  /** The reader of `conn` parsed the next PUBLISH `writer` wrote there: its id (undefined: none). */
  read(writer: NodeId, conn: ConnId): number | undefined {
    return this.#queues.get(writer)?.get(conn)?.shift();
  }
}

/** The run's wire tags, shared by its MQTT roles. */
export function wireTags(ctx: Pick<RoleContext, 'shared'>): WireTags {
  return ctx.shared('mqtt:wire-tags', () => new WireTags());
}
