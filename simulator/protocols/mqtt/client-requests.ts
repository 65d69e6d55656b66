/**
 * The client's SUBSCRIBE / UNSUBSCRIBE requests (sections 3.8 and 3.10) and the subscriptions it
 * remembers. A request stays until its SUBACK / UNSUBACK arrives and goes (again) on every new
 * connection; they are the application's requests, not session state, so a discarded session
 * keeps them. Without a kept session the remembered subscriptions are asked for again
 * (mqtt.js's `resubscribe`).
 */
import type { MqttVersion, PacketOf, Subscription } from './packets.ts';
import type { PacketIdAllocator } from './packet-ids.ts';

export type Request =
  | { kind: 'subscribe'; messageId: number; subscriptions: Subscription[]; properties?: PacketOf<'subscribe'>['properties'] }
  | { kind: 'unsubscribe'; messageId: number; topics: string[] };

export class SubscriptionRequests {
  /** By filter; made at the first SUBSCRIBE (a publisher never needs it, and an empty Map is about 180 bytes). */
  #subscriptions: Map<string, Subscription> | undefined;
  #requests: Request[] = [];

  subscribe(subscriptions: Subscription[], messageId: number, properties?: PacketOf<'subscribe'>['properties']): Request {
    const byFilter = (this.#subscriptions ??= new Map());
    for (const s of subscriptions) byFilter.set(s.topic, s);
    const req: Request = { kind: 'subscribe', messageId, subscriptions };
    if (properties !== undefined) req.properties = properties;
    this.#requests.push(req);
    return req;
  }

  unsubscribe(topics: string[], messageId: number): Request {
    for (const t of topics) this.#subscriptions?.delete(t);
    const req: Request = { kind: 'unsubscribe', messageId, topics };
    this.#requests.push(req);
    return req;
  }

  /** The server has none of our subscriptions: one request, first, for those no pending request covers. */
  resubscribe(ids: PacketIdAllocator): void {
    const pending = new Set(this.#requests.flatMap((r) => (r.kind === 'subscribe' ? r.subscriptions.map((x) => x.topic) : [])));
    const again = [...(this.#subscriptions?.values() ?? [])].filter((x) => !pending.has(x.topic));
    if (again.length > 0) this.#requests.unshift({ kind: 'subscribe', messageId: ids.allocate(), subscriptions: again });
  }

  /** Requests not yet acknowledged, in order. */
  pending(): readonly Request[] {
    return this.#requests;
  }

  /** The request a SUBACK / UNSUBACK completes, removed; undefined for an unknown id. */
  complete(kind: Request['kind'], messageId: number): Request | undefined {
    const i = this.#requests.findIndex((r) => r.kind === kind && r.messageId === messageId);
    return i < 0 ? undefined : this.#requests.splice(i, 1)[0];
  }
}

/** The packet of a request, as MQTT `version` writes it (properties only in 5). */
export function requestPacket(req: Request, version: MqttVersion): PacketOf<'subscribe'> | PacketOf<'unsubscribe'> {
  if (req.kind === 'unsubscribe') return { cmd: 'unsubscribe', messageId: req.messageId, unsubscriptions: req.topics };
  const packet: PacketOf<'subscribe'> = { cmd: 'subscribe', messageId: req.messageId, subscriptions: req.subscriptions };
  if (req.properties !== undefined && version === 5) packet.properties = req.properties;
  return packet;
}
