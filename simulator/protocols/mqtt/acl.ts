/**
 * Simple access control for the security chapter, in the spirit of mosquitto's `password_file`
 * and `acl_file`: a username/password table and per-client allowed topic filters for PUBLISH and
 * SUBSCRIBE. Pure: the broker asks, this answers.
 */
import { utf8Decode } from './utf8.ts';
import { filterCovers, topicMatches } from './topics.ts';

export interface AclRule {
  /** The rule applies to the client with this client id... */
  clientId?: string;
  /** ...or to every client that authenticated with this username. */
  username?: string;
  /** Filters of the topic names the client may publish to. */
  publish?: string[];
  /** Filters the client may subscribe to (a subscription must lie inside one of them). */
  subscribe?: string[];
}

export interface AccessControlConfig {
  /** username -> password. When set, a CONNECT carrying a username needs the right password. */
  users?: Record<string, string>;
  /** Whether a CONNECT without a username is accepted (default: true without `users`, else false). */
  allowAnonymous?: boolean;
  /** Per-client rules. Without rules every client may publish and subscribe anywhere. */
  rules?: AclRule[];
}

/** Outcome of a CONNECT check; the broker maps it to 3.1.1 return code 4/5 or MQTT 5 0x86/0x87. */
export type ConnectVerdict = 'accepted' | 'bad-username-or-password' | 'not-authorized';

export interface ClientIdentity {
  clientId: string;
  username?: string;
}

/**
 * mosquitto 2.0's rule for `$` topics, applied before any ACL file or plugin and whatever they
 * say (src/security.c, mosquitto_acl_check -> acl__check_dollar): no client may write to `$SYS...`
 * (the broker's own statistics) except `$SYS/broker/connection/+/state` (a bridge's status), nor to
 * `$share...`; other `$` topics are left to the ordinary rules. A PUBLISH refused this way is
 * answered as any denied one (src/handle_publish.c, "Denied PUBLISH", process_bad_message), and a
 * will on such a topic is not sent (src/context.c, context__send_will).
 * tests/conformance/mqtt-broker-mosquitto.test.ts measures it against mosquitto 2.0.11.
 */
export function dollarWriteDenied(topic: string): boolean {
  if (topic.startsWith('$SYS')) return !topicMatches('$SYS/broker/connection/+/state', topic);
  return topic.startsWith('$share');
}

export class AccessControl {
  constructor(readonly config: AccessControlConfig = {}) {}

  /** 3.1.1 section 3.2.2.3 return codes 4 and 5; MQTT 5 section 3.2.2.2 reason codes 0x86, 0x87. */
  checkConnect(username: string | undefined, password: string | Uint8Array | undefined): ConnectVerdict {
    const users = this.config.users;
    const allowAnonymous = this.config.allowAnonymous ?? users === undefined;
    if (username === undefined) return allowAnonymous ? 'accepted' : 'not-authorized';
    if (users === undefined) return 'accepted';
    const expected = users[username];
    const given = typeof password === 'string' ? password : password === undefined ? undefined : utf8Decode(password);
    if (expected === undefined || given !== expected) return 'bad-username-or-password';
    return 'accepted';
  }

  /** Whether `who` may publish to `topic` (a PUBLISH, or its will when the broker sends it). */
  canPublish(who: ClientIdentity, topic: string): boolean {
    if (dollarWriteDenied(topic)) return false;
    const rules = this.#rulesFor(who);
    if (rules === undefined) return true;
    return rules.some((r) => (r.publish ?? []).some((f) => topicMatches(f, topic)));
  }

  canSubscribe(who: ClientIdentity, filter: string): boolean {
    const rules = this.#rulesFor(who);
    if (rules === undefined) return true;
    return rules.some((r) => (r.subscribe ?? []).some((f) => filterCovers(f, filter)));
  }

  /** The rules for this client, or undefined when the broker has no rules at all (all allowed). */
  #rulesFor(who: ClientIdentity): AclRule[] | undefined {
    const rules = this.config.rules;
    if (rules === undefined) return undefined;
    return rules.filter(
      (r) => (r.clientId !== undefined && r.clientId === who.clientId) || (r.username !== undefined && r.username === who.username),
    );
  }
}
