/**
 * Which clients have a subscription whose filter matches a topic name: a trie over topic levels
 * (the structure mosquitto and aedes use too), so a publish costs the depth of its topic and the
 * number of matching filters, not the number of sessions. The broker then reads each matching
 * session's own subscriptions to decide QoS and subscription ids.
 */
import { topicMatches } from './topics.ts';

interface Node {
  children: Map<string, Node>;
  /** Client ids with a filter that ends at this node, with how many such filters each has. */
  here: Map<string, number>;
}

const newNode = (): Node => ({ children: new Map(), here: new Map() });

export class SubscriptionIndex {
  #root = newNode();

  add(clientId: string, filter: string): void {
    let node = this.#root;
    for (const level of filter.split('/')) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = newNode();
        node.children.set(level, child);
      }
      node = child;
    }
    node.here.set(clientId, (node.here.get(clientId) ?? 0) + 1);
  }

  remove(clientId: string, filter: string): void {
    const path: Array<[Node, string]> = [];
    let node = this.#root;
    for (const level of filter.split('/')) {
      const child = node.children.get(level);
      if (child === undefined) return;
      path.push([node, level]);
      node = child;
    }
    const count = node.here.get(clientId);
    if (count === undefined) return;
    if (count > 1) node.here.set(clientId, count - 1);
    else node.here.delete(clientId);
    // Prune empty branches.
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, level] = path[i]!;
      const child = parent.children.get(level)!;
      if (child.here.size > 0 || child.children.size > 0) break;
      parent.children.delete(level);
    }
  }

  /** Client ids with at least one filter matching `topic` (a valid topic name). */
  match(topic: string): Set<string> {
    const out = new Set<string>();
    // [MQTT-4.7.2-1]: wildcards in the first level do not match names starting with '$'.
    walk(this.#root, topic.split('/'), 0, topic.startsWith('$'), out);
    return out;
  }
}

/** Adds to `out` the client ids under `node` whose filters match `levels` from level `i` on (no closure per match: it runs for every message). */
function walk(node: Node, levels: string[], i: number, dollar: boolean, out: Set<string>): void {
  const wildOk = !(dollar && i === 0);
  const hash = wildOk ? node.children.get('#') : undefined;
  if (hash !== undefined) for (const id of hash.here.keys()) out.add(id); // '#' also matches the parent level
  if (i === levels.length) {
    for (const id of node.here.keys()) out.add(id);
    return;
  }
  const exact = node.children.get(levels[i]!);
  if (exact !== undefined) walk(exact, levels, i + 1, dollar, out);
  const plus = wildOk ? node.children.get('+') : undefined;
  if (plus !== undefined) walk(plus, levels, i + 1, dollar, out);
}

/** The slow reference the index must agree with (used by tests). */
export function matchByScan(subscriptions: Array<[string, string]>, topic: string): Set<string> {
  return new Set(subscriptions.filter(([, filter]) => topicMatches(filter, topic)).map(([id]) => id));
}
