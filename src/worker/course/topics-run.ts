/**
 * Chapter 8's topic explorer, run: which subscriber gets which message, decided by the
 * simulator's own broker (simulator/protocols/mqtt/broker.ts, its subscription trie and share
 * groups), never by a second matcher written for the page. Every filter line is one subscriber
 * client that CONNECTs and SUBSCRIBEs at QoS 0; then one publisher client PUBLISHes to every topic
 * of the tree, in order, `rounds` times; what each subscriber's connection receives is the answer.
 * A filter or topic the broker would refuse is not sent: its line gets the reason, in the words
 * of the engine's own checks (simulator/protocols/mqtt/topics.ts, broker-share.ts).
 *
 * As in mosquitto, the broker accepts `$share/{ShareName}/{filter}` from MQTT 3.1.1 clients too,
 * and refuses a client's PUBLISH to `$SYS/...` (mosquitto's acl__check_dollar, simulator/protocols/
 * mqtt/acl.ts): so a tree line under `$SYS` is published by the broker itself (`publishOwn`), as
 * mosquitto publishes its statistics there, and every other line by the publisher client.
 */
import { MqttBroker } from '../../../simulator/protocols/mqtt/broker.ts';
import { parseShared } from '../../../simulator/protocols/mqtt/broker-share.ts';
import { encodePacket, PacketParser, type MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { topicFilterError, topicNameError } from '../../../simulator/protocols/mqtt/topics.ts';
import type { FilterLine, TopicLine, TopicsInput, TopicsResult } from './topics-types.ts';

/** At most this many lines of each list (a topic tree a reader edits by hand). */
export const MAX_LINES = 64;
export const MAX_LINE_CHARS = 256;

/** The lines of a text box: every non-empty line, as typed (spaces count in MQTT topics). */
export function linesOf(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.length > 0);
}

/**
 * Why a subscription line is refused, or undefined: a shared subscription's parts are named
 * (MQTT 5 section 4.8.2: `$share/{ShareName}/{filter}`, a ShareName of at least one character
 * without `/`, `+` or `#`), an ordinary filter gets the engine's reason (section 4.7).
 */
export function filterLineError(line: string): string | undefined {
  if (line.length > MAX_LINE_CHARS) return `longer than ${MAX_LINE_CHARS} characters (this page's limit; MQTT allows 65,535 bytes)`;
  const shared = parseShared(line);
  if (shared === undefined) return topicFilterError(line);
  if (shared !== 'invalid') return undefined;
  const rest = line.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return `shared subscription "${line}" has no topic filter: write $share/{ShareName}/{filter} (MQTT 5 section 4.8.2)`;
  if (slash === 0) return `shared subscription "${line}" has an empty ShareName: write $share/{ShareName}/{filter} (MQTT 5 section 4.8.2)`;
  const group = rest.slice(0, slash);
  if (/[+#]/.test(group)) return `shared subscription "${line}": the ShareName "${group}" may not contain + or # (MQTT 5 section 4.8.2)`;
  const inner = topicFilterError(rest.slice(slash + 1));
  return `shared subscription "${line}": ${inner ?? 'not valid'}`;
}

export function topicLineError(line: string): string | undefined {
  if (line.length > MAX_LINE_CHARS) return `longer than ${MAX_LINE_CHARS} characters (this page's limit; MQTT allows 65,535 bytes)`;
  return topicNameError(line);
}

/** A topic only the broker publishes to (mosquitto's `$SYS` tree; clients may not: acl__check_dollar). */
export function isBrokersOwn(topic: string): boolean {
  return topic.startsWith('$SYS');
}

function tooMany(what: string, n: number): string | undefined {
  return n > MAX_LINES ? `${n} ${what}: this page takes at most ${MAX_LINES}` : undefined;
}

export function courseTopics(input: TopicsInput): TopicsResult {
  const topicTexts = linesOf(input.topics);
  const filterTexts = linesOf(input.filters);
  const problem = tooMany('topics', topicTexts.length) ?? tooMany('filters', filterTexts.length);
  const topics: TopicLine[] = topicTexts.slice(0, MAX_LINES).map((text) => {
    const error = topicLineError(text);
    return { text, ...(error ? { error } : {}), receivedBy: [] };
  });
  const filters: FilterLine[] = filterTexts.slice(0, MAX_LINES).map((text) => {
    const error = filterLineError(text);
    const shared = error ? undefined : parseShared(text);
    return {
      text,
      ...(error ? { error } : {}),
      ...(shared && shared !== 'invalid' ? { group: shared.group, filter: shared.filter } : {}),
      received: [],
    };
  });

  const level = input.version === '5' ? 5 : 4;
  const broker = new MqttBroker();
  const parsers = new Map<string, PacketParser>();
  const conns: string[] = [];
  /** Per connection, the topics of the PUBLISH packets it received, in order. */
  const inbox = new Map<string, string[]>();
  const drain = () => {
    for (let out = broker.nextOutput(); out !== undefined; out = broker.nextOutput()) {
      if ('close' in out) continue;
      for (const p of parsers.get(out.connId)!.push(out.bytes)) if (p.cmd === 'publish') inbox.get(out.connId)!.push(p.topic);
    }
    while (broker.nextEvent() !== undefined);
  };
  const send = (conn: string, packet: MqttPacket) => {
    broker.receiveData(conn, encodePacket(packet, level), 0);
    drain();
  };
  const connect = (conn: string) => {
    broker.openConnection(conn, 0);
    parsers.set(conn, new PacketParser(level));
    inbox.set(conn, []);
    send(conn, { cmd: 'connect', protocolVersion: level, protocolId: 'MQTT', clean: true, keepalive: 0, clientId: conn } as MqttPacket);
  };

  filters.forEach((f, i) => {
    conns[i] = `sub-${i + 1}`;
    if (f.error) return;
    connect(conns[i]!);
    send(conns[i]!, { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: f.text, qos: 0 }] } as MqttPacket);
  });
  connect('pub');
  const published: TopicsResult['published'] = [];
  for (let round = 1; round <= input.rounds; round++) {
    topics.forEach((t, i) => {
      if (t.error) return;
      const before = filters.map((_, k) => inbox.get(conns[k]!)?.length ?? 0);
      if (isBrokersOwn(t.text)) {
        broker.publishOwn(t.text, new Uint8Array(0), 0);
        drain();
      } else {
        send('pub', { cmd: 'publish', topic: t.text, payload: new Uint8Array(0), qos: 0, retain: false, dup: false } as MqttPacket);
      }
      const receivers = filters.flatMap((_, k) => ((inbox.get(conns[k]!)?.length ?? 0) > before[k]! ? [k] : []));
      published.push({ topic: i, round, receivers });
      for (const k of receivers) filters[k]!.received.push(published.length - 1);
      if (round === 1) t.receivedBy = receivers;
      else t.receivedBy = [...new Set([...t.receivedBy, ...receivers])].sort((a, b) => a - b);
    });
  }
  return { input, topics, filters, published, ...(problem ? { problem } : {}) };
}

