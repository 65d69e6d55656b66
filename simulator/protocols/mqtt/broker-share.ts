/**
 * Who a message can go to: the subscription index (ordinary filters) and the shared subscription
 * groups `$share/{ShareName}/{filter}` (MQTT 5 section 4.8.2; accepted from 3.1.1 clients too, as
 * mosquitto does). Each message goes to one member of each matching group, in turn.
 */
import type { BrokerCore } from './broker-core.ts';
import type { Subscription } from './session.ts';
import { topicFilterError, topicMatches } from './topics.ts';

/**
 * `$share/{ShareName}/{filter}` (MQTT 5 section 4.8.2): the group and the filter, undefined for an
 * ordinary filter, 'invalid' when the ShareName is empty or holds / + #.
 */
export function parseShared(topic: string): { group: string; filter: string } | 'invalid' | undefined {
  if (!topic.startsWith('$share/')) return undefined;
  const rest = topic.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return 'invalid';
  const group = rest.slice(0, slash);
  const filter = rest.slice(slash + 1);
  if (group.includes('+') || group.includes('#') || topicFilterError(filter) !== undefined) return 'invalid';
  return { group, filter };
}

export function addSubscriber(core: BrokerCore, clientId: string, sub: Subscription): void {
  if (sub.shareGroup === undefined) {
    core.index.add(clientId, sub.filter);
    return;
  }
  const key = `${sub.shareGroup}\n${sub.filter}`;
  let group = core.shareGroups.get(key);
  if (group === undefined) core.shareGroups.set(key, (group = { group: sub.shareGroup, filter: sub.filter, members: [], next: 0 }));
  group.members.push(clientId);
}

export function removeSubscriber(core: BrokerCore, clientId: string, sub: Subscription): void {
  if (sub.shareGroup === undefined) {
    core.index.remove(clientId, sub.filter);
    return;
  }
  const key = `${sub.shareGroup}\n${sub.filter}`;
  const group = core.shareGroups.get(key);
  if (group === undefined) return;
  const at = group.members.indexOf(clientId);
  if (at < 0) return;
  group.members.splice(at, 1);
  if (at < group.next) group.next--;
  if (group.members.length === 0) core.shareGroups.delete(key);
  else group.next %= group.members.length;
}

/**
 * MQTT 5 section 4.8.2: each share group whose filter matches gets the message for one of its
 * members, in turn (round robin over the members in the order they subscribed, as mosquitto),
 * offline members included. Returns the picked subscriptions by client id.
 */
export function pickShareMembers(core: BrokerCore, topic: string): Map<string, Subscription[]> {
  const picks = new Map<string, Subscription[]>();
  for (const group of core.shareGroups.values()) {
    if (!topicMatches(group.filter, topic) || group.members.length === 0) continue;
    const member = group.members[group.next % group.members.length]!;
    group.next = (group.next + 1) % group.members.length;
    const sub = core.sessions.get(member)?.subscriptions.get(`$share/${group.group}/${group.filter}`);
    if (sub === undefined) continue;
    const list = picks.get(member);
    if (list === undefined) picks.set(member, [sub]);
    else list.push(sub);
  }
  return picks;
}
