/**
 * The star network: every node hangs off one core by its access link, an uplink `${node}->core`
 * and a downlink `core->${node}` (see ./config.ts for how settings combine). A packet from A to B
 * crosses A's uplink, then B's downlink. The core forwards at once; a packet for a node that does
 * not exist is dropped at the end of the uplink with reason 'no-route'.
 *
 * An idle-timeout middlebox, when a node's link has `idleTimeoutS`, sits on that node's access
 * link and sees both directions (one state table per node, like a home NAT).
 */
import type { Rng } from '../core/rng.ts';
import type { Scheduler } from '../core/scheduler.ts';
import { s } from '../core/time.ts';
import type { NodeId, TraceSink } from '../core/trace.ts';
import type { LinkConfig } from './config.ts';
import type { Packet } from './link.ts';
import { Link } from './link.ts';
import { IdleTimeoutMiddlebox } from './middlebox.ts';

export const CORE = 'core';

export interface NetworkDeps {
  scheduler: Scheduler;
  trace: TraceSink;
  rng: Rng;
}

export interface Attachment {
  readonly node: NodeId;
  readonly up: Link;
  readonly down: Link;
  readonly middlebox: IdleTimeoutMiddlebox | undefined;
  /** Called with every packet that arrives at this node. */
  receive: (packet: Packet) => void;
}

export class StarNetwork {
  readonly #nodes = new Map<NodeId, Attachment>();
  /**
   * Where the packet an uplink just asked about (its `refuse`) goes: Link calls `refuse` and then,
   * unless refused, `deliver` for the same packet with nothing of the network's in between, so
   * `deliver` forwards to what `refuse` found (one lookup of the destination per packet, not two).
   */
  #routed: Attachment | undefined;
  /** Every uplink's `refuse` and `deliver` (one pair for the network, not a closure pair per node). */
  readonly #route = (packet: Packet): 'no-route' | undefined => ((this.#routed = this.#nodes.get(packet.dst)) === undefined ? 'no-route' : undefined);
  readonly #forward = (packet: Packet): void => this.#routed!.down.send(packet);

  constructor(readonly deps: NetworkDeps) {}

  /** Attaches `node` with its per-direction link settings. */
  attach(node: NodeId, up: LinkConfig, down: LinkConfig): Attachment {
    if (node === CORE) throw new RangeError(`"${CORE}" is reserved for the network's core; choose another node id`);
    if (this.#nodes.has(node)) throw new RangeError(`node "${node}" is attached twice`);
    // One middlebox for both directions; the shorter timeout wins if the two sides disagree.
    const timeouts = [up.idleTimeoutS, down.idleTimeoutS].filter((v): v is number => v !== undefined);
    const middlebox = timeouts.length > 0 ? new IdleTimeoutMiddlebox(s(Math.min(...timeouts))) : undefined;
    // Numbered in attachment order (Link.index): node k's uplink 2k, its downlink 2k + 1.
    const index = 2 * this.#nodes.size;
    const uplink = new Link(`${node}->${CORE}`, up, { ...this.deps, middlebox, index });
    const downlink = new Link(`${CORE}->${node}`, down, { ...this.deps, middlebox, index: index + 1 });
    const attachment: Attachment = { node, up: uplink, down: downlink, middlebox, receive: () => {} };
    uplink.refuse = this.#route;
    uplink.deliver = this.#forward;
    downlink.deliver = (packet) => {
      attachment.receive(packet);
      packet.done?.();
    };
    this.#nodes.set(node, attachment);
    return attachment;
  }

  has(node: NodeId): boolean {
    return this.#nodes.has(node);
  }

  node(node: NodeId): Attachment | undefined {
    return this.#nodes.get(node);
  }

  get nodes(): IterableIterator<Attachment> {
    return this.#nodes.values();
  }

  /** Sends `packet` from its `src` node now. */
  send(packet: Packet): void {
    const from = this.#nodes.get(packet.src);
    if (from === undefined) throw new RangeError(`packet from unknown node "${packet.src}"`);
    from.up.send(packet);
  }
}
