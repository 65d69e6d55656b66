/**
 * Topic names and topic filters (MQTT 3.1.1 section 4.7, MQTT 5 section 4.7): validation and
 * matching. Pure functions, shared by the broker and the client.
 *
 * - Levels are separated by `/`; an empty level is a valid level (`a//b`, `/a`).
 * - `+` matches exactly one level and must fill its whole level ([MQTT-4.7.1-3]).
 * - `#` matches the parent level and any number of child levels; it must be the last character
 *   and fill its whole level ([MQTT-4.7.1-2]).
 * - Topic names (what is published to) must not contain wildcards ([MQTT-3.3.2-2]).
 * - A filter starting with a wildcard does not match a topic name starting with `$`
 *   ([MQTT-4.7.2-1]), so `#` never shows `$SYS/...`.
 * - Names and filters are at least one character long ([MQTT-4.7.3-1]), at most 65535 bytes of
 *   UTF-8 ([MQTT-4.7.3-3]) and contain no U+0000 ([MQTT-4.7.3-2]).
 */

import { utf8Encode } from './utf8.ts';

/** Why `name` is not a valid topic name, or undefined when it is. */
export function topicNameError(name: string): string | undefined {
  const common = commonError(name, 'topic name');
  if (common !== undefined) return common;
  if (name.includes('+') || name.includes('#')) {
    return `topic name "${name}" contains a wildcard (+ or #), which only filters may use [MQTT-3.3.2-2]`;
  }
  return undefined;
}

/** Why `filter` is not a valid topic filter, or undefined when it is. */
export function topicFilterError(filter: string): string | undefined {
  const common = commonError(filter, 'topic filter');
  if (common !== undefined) return common;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return `topic filter "${filter}": # must be the whole last level [MQTT-4.7.1-2]`;
    }
    if (level.includes('+') && level !== '+') {
      return `topic filter "${filter}": + must fill a whole level [MQTT-4.7.1-3]`;
    }
  }
  return undefined;
}

export function isValidTopicName(name: string): boolean {
  return topicNameError(name) === undefined;
}

export function isValidTopicFilter(filter: string): boolean {
  return topicFilterError(filter) === undefined;
}

function commonError(s: string, what: string): string | undefined {
  if (s.length === 0) return `${what} is empty; it must be at least one character [MQTT-4.7.3-1]`;
  if (s.includes('\u0000')) return `${what} "${s}" contains U+0000 [MQTT-4.7.3-2]`;
  if (s.length > 21845 && utf8Encode(s).length > 65535) {
    return `${what} is longer than 65535 bytes of UTF-8 [MQTT-4.7.3-3]`;
  }
  return undefined;
}

/**
 * Whether the (valid) topic `filter` matches the (valid) topic `name`.
 * `sport/#` matches `sport` and `sport/tennis/player1`; `sport/+` matches `sport/` but not
 * `sport`; `+/monitor` and `#` do not match `$SYS/monitor` ([MQTT-4.7.2-1]).
 */
export function topicMatches(filter: string, name: string): boolean {
  if (name.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  // Level by level, in place (the broker asks this for every message and subscription, so no
  // split arrays): [fi, fe) is the filter's level, [ni, ne) the name's; ni is -1 once the name's
  // levels are all used.
  let fi = 0;
  let ni = 0;
  for (;;) {
    let fe = filter.indexOf('/', fi);
    if (fe < 0) fe = filter.length;
    if (fe - fi === 1 && filter.charCodeAt(fi) === 0x23) return true; // '#': the parent and any children
    if (ni < 0) return false; // the name has no level here
    let ne = name.indexOf('/', ni);
    if (ne < 0) ne = name.length;
    if (!(fe - fi === 1 && filter.charCodeAt(fi) === 0x2b)) { // not '+': the same text
      if (fe - fi !== ne - ni) return false;
      for (let k = 0; k < fe - fi; k++) if (filter.charCodeAt(fi + k) !== name.charCodeAt(ni + k)) return false;
    }
    const nameDone = ne === name.length;
    if (fe === filter.length) return nameDone; // as many levels in both
    fi = fe + 1;
    ni = nameDone ? -1 : ne + 1;
  }
}

/**
 * Whether every topic name that `inner` matches is also matched by `outer` (both valid
 * filters). Used by access control: a client allowed `sensors/#` may subscribe to
 * `sensors/+/temp` but not to `#`.
 */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const n = inner.split('/');
  // `$` topics: a wildcard-first outer filter does not reach them, but then neither does a
  // wildcard-first inner filter; a literal `$...` first level of inner needs a literal match.
  if ((o[0] === '+' || o[0] === '#') && n[0]!.startsWith('$')) return false;
  for (let i = 0; i < o.length; i++) {
    const level = o[i]!;
    if (level === '#') return true;
    if (i >= n.length) return false;
    const inLevel = n[i]!;
    if (inLevel === '#') return false; // inner reaches deeper or shallower than outer can
    if (level === '+') continue; // one level of anything, inner's `+` included
    if (inLevel !== level) return false;
  }
  return o.length === n.length;
}
