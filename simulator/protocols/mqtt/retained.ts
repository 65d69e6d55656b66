/**
 * The broker's retained messages (MQTT 3.1.1 section 3.3.1.3, MQTT 5 section 3.3.1.3): one per
 * topic name; a new retained PUBLISH replaces it; a retained PUBLISH with an empty payload
 * removes it and is itself not stored ([MQTT-3.3.1-10], [MQTT-3.3.1-11]).
 */
import type { Micros } from '../../core/time.ts';
import { type BrokerMessage, isExpired } from './broker-types.ts';
import { topicMatches } from './topics.ts';

export type RetainChange = 'set' | 'replaced' | 'cleared' | 'nothing-to-clear';

export class RetainedStore {
  #byTopic = new Map<string, BrokerMessage>();

  /** Stores (or clears) the retained message for `message.topic`. */
  apply(message: BrokerMessage): RetainChange {
    const had = this.#byTopic.has(message.topic);
    if (message.payload.length === 0) {
      this.#byTopic.delete(message.topic);
      return had ? 'cleared' : 'nothing-to-clear';
    }
    this.#byTopic.set(message.topic, message);
    return had ? 'replaced' : 'set';
  }

  get(topic: string): BrokerMessage | undefined {
    return this.#byTopic.get(topic);
  }

  /** Retained messages whose topic `filter` matches, oldest topic first; expired ones are dropped. */
  matching(filter: string, now: Micros): BrokerMessage[] {
    const out: BrokerMessage[] = [];
    for (const [topic, message] of this.#byTopic) {
      if (isExpired(message, now)) {
        this.#byTopic.delete(topic);
        continue;
      }
      if (topicMatches(filter, topic)) out.push(message);
    }
    return out;
  }

  get size(): number {
    return this.#byTopic.size;
  }
}
