/**
 * MQTT 5 Topic Aliases (section 3.3.2.3.4), per connection and per direction; both are forgotten
 * when the connection ends ([MQTT-3.3.2-7]).
 * - Inbound: an alias must lie in 1..the Topic Alias Maximum the receiver announced, else Topic
 *   Alias invalid 0x94 ([MQTT-3.3.2-9], [MQTT-3.3.2-10]); a PUBLISH with a topic and an alias sets
 *   it; one with an empty topic uses it, and an alias never set is a Protocol Error.
 * - Outbound (the client's choice, as mqtt.js's `autoAssignTopicAlias`): the first PUBLISH on a
 *   topic takes the next free alias with the topic, later ones send the alias and an empty topic;
 *   no new aliases once the peer's maximum is reached.
 */
import { REASON_PROTOCOL_ERROR } from './packets.ts';
import { remoteError } from './errors.ts';

/** MQTT 5 reason code 0x94 Topic Alias invalid. */
const TOPIC_ALIAS_INVALID = 0x94;

// Each map is made on first use: most connections never carry an alias (3.1.1, or an MQTT 5 peer
// that sends none), and an empty Map costs about 180 bytes; a run has one of each per connection.

export class TopicAliasesIn {
  #byAlias: Map<number, string> | undefined;

  /** The topic a PUBLISH means; throws RemoteProtocolError for a bad or unknown alias. */
  resolve(topic: string, alias: number, maximum: number): string {
    if (alias === 0 || alias > maximum) {
      throw remoteError('mqtt-topic-alias-invalid', `topic alias ${alias} is outside 1..${maximum}`, TOPIC_ALIAS_INVALID);
    }
    if (topic !== '') {
      (this.#byAlias ??= new Map()).set(alias, topic);
      return topic;
    }
    const known = this.#byAlias?.get(alias);
    if (known === undefined) throw remoteError('mqtt-topic-alias-unknown', `topic alias ${alias} was never set on this connection`, REASON_PROTOCOL_ERROR);
    return known;
  }

  clear(): void {
    this.#byAlias?.clear();
  }
}

export class TopicAliasesOut {
  #byTopic: Map<string, number> | undefined;

  /** The topic and alias to send for `topic` when the peer allows `maximum` aliases. */
  assign(topic: string, maximum: number): { topic: string; alias?: number } {
    const byTopic = (this.#byTopic ??= new Map());
    const known = byTopic.get(topic);
    if (known !== undefined) return { topic: '', alias: known };
    if (byTopic.size >= maximum) return { topic };
    const alias = byTopic.size + 1;
    byTopic.set(topic, alias);
    return { topic, alias };
  }

  clear(): void {
    this.#byTopic?.clear();
  }
}
