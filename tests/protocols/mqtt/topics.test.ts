import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  filterCovers,
  isValidTopicFilter,
  isValidTopicName,
  topicFilterError,
  topicMatches,
  topicNameError,
} from '../../../simulator/protocols/mqtt/topics.ts';

describe('topic filter matching (MQTT 3.1.1 section 4.7)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['#', 'a/b/c', true],
    ['#', '/', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['a/b', 'a/b', true],
    ['a/b', 'a/B', false],
    ['a/b', 'a/b/c', false],
    ['a//b', 'a//b', true],
    ['+/monitor/Clients', '$SYS/monitor/Clients', false],
    ['#', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
  ];
  for (const [filter, topic, expected] of cases) {
    it(`${filter} ${expected ? 'matches' : 'does not match'} ${topic}`, () => {
      expect(topicMatches(filter, topic)).toBe(expected);
    });
  }
});

/** The rule as levels (split on '/'), the way topicMatches was first written: the reference for its in-place walk. */
function matchesByLevels(filter: string, name: string): boolean {
  if (name.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = name.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

describe('topicMatches against the rule written level by level', () => {
  it('agrees on filters and names built from short levels, wildcards and empty levels', () => {
    const level = fc.constantFrom('', 'a', 'b', 'ab', '+', '#', '$SYS', 'a+', '#b', 'x');
    const topic = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));
    fc.assert(
      fc.property(topic, topic, (filter, name) => {
        expect(topicMatches(filter, name)).toBe(matchesByLevels(filter, name));
      }),
      { seed: 1205, numRuns: 5000 },
    );
  });
});

describe('validation', () => {
  it('accepts valid filters and rejects misplaced wildcards', () => {
    for (const f of ['#', '+', 'a/+/b', 'a/#', '+/+', '/', 'a//b', '$SYS/#']) expect(isValidTopicFilter(f)).toBe(true);
    expect(topicFilterError('sport/tennis#')).toBe('topic filter "sport/tennis#": # must be the whole last level [MQTT-4.7.1-2]');
    expect(topicFilterError('sport/#/ranking')).toBe('topic filter "sport/#/ranking": # must be the whole last level [MQTT-4.7.1-2]');
    expect(topicFilterError('sport+')).toBe('topic filter "sport+": + must fill a whole level [MQTT-4.7.1-3]');
    expect(topicFilterError('')).toBe('topic filter is empty; it must be at least one character [MQTT-4.7.3-1]');
    expect(isValidTopicFilter('a\u0000b')).toBe(false);
  });
  it('rejects wildcards in topic names', () => {
    expect(isValidTopicName('a/b')).toBe(true);
    expect(isValidTopicName('/')).toBe(true);
    expect(topicNameError('a/+')).toBe('topic name "a/+" contains a wildcard (+ or #), which only filters may use [MQTT-3.3.2-2]');
    expect(isValidTopicName('a/#')).toBe(false);
    expect(isValidTopicName('')).toBe(false);
  });
});

describe('filterCovers (access control)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['sensors/#', 'sensors/+/temp', true],
    ['sensors/#', 'sensors', true],
    ['sensors/#', '#', false],
    ['sensors/+', 'sensors/a', true],
    ['sensors/+', 'sensors/+', true],
    ['sensors/+', 'sensors/#', false],
    ['sensors/+', 'sensors/a/b', false],
    ['#', '#', true],
    ['#', '$SYS/x', false],
    ['$SYS/#', '$SYS/x', true],
    ['a/b', 'a/+', false],
  ];
  for (const [outer, inner, expected] of cases) {
    it(`${outer} ${expected ? 'covers' : 'does not cover'} ${inner}`, () => {
      expect(filterCovers(outer, inner)).toBe(expected);
    });
  }
});
