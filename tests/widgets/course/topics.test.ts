/**
 * Chapter 8's topic explorer (src/worker/course/topics*.ts): the simulator's broker decides who
 * receives what. Checked against the examples of the specifications (MQTT 3.1.1 section 4.7 and
 * MQTT 5 section 4.7, the same in both), shared subscriptions (MQTT 5 section 4.8.2), and the
 * engine's own `topicMatches` for every pair of the default tree.
 */
import { describe, expect, it } from 'vitest';
import { topicMatches } from '../../../simulator/protocols/mqtt/topics.ts';
import { runCourse } from '../../../src/worker/course/index.ts';
import { courseTopics, filterLineError, linesOf } from '../../../src/worker/course/topics-run.ts';
import { TOPICS_DEFAULTS, type TopicsInput } from '../../../src/worker/course/topics-types.ts';

/** What the subscriber to `filter` received, of `names`, through the broker (MQTT 3.1.1 and 5 alike). */
function receives(filter: string, names: string[]): string[] {
  const results = (['3.1.1', '5'] as const).map((version) => {
    const r = courseTopics({ topics: names.join('\n'), filters: filter, version, rounds: 1 });
    return r.topics.filter((t) => t.receivedBy.includes(0)).map((t) => t.text);
  });
  expect(results[0]).toEqual(results[1]);
  return results[0]!;
}

describe('the specification\'s examples, through the broker', () => {
  it('"#" matches the parent level and every level below it (4.7.1.2)', () => {
    expect(receives('sport/tennis/player1/#', ['sport/tennis/player1', 'sport/tennis/player1/ranking', 'sport/tennis/player1/score/wimbledon', 'sport/tennis/player2'])).toEqual([
      'sport/tennis/player1', 'sport/tennis/player1/ranking', 'sport/tennis/player1/score/wimbledon',
    ]);
    expect(receives('sport/#', ['sport', 'sport/tennis'])).toEqual(['sport', 'sport/tennis']);
    expect(receives('#', ['sport', '/finance', 'a//b'])).toEqual(['sport', '/finance', 'a//b']);
  });

  it('"+" matches exactly one level, an empty one included (4.7.1.3)', () => {
    expect(receives('sport/tennis/+', ['sport/tennis/player1', 'sport/tennis/player2', 'sport/tennis/player1/ranking'])).toEqual(['sport/tennis/player1', 'sport/tennis/player2']);
    expect(receives('sport/+', ['sport', 'sport/'])).toEqual(['sport/']);
    expect(receives('+/+', ['/finance'])).toEqual(['/finance']);
    expect(receives('/+', ['/finance'])).toEqual(['/finance']);
    expect(receives('+', ['/finance', 'finance'])).toEqual(['finance']);
    expect(receives('+/tennis/#', ['sport/tennis/player1', 'sport/golf'])).toEqual(['sport/tennis/player1']);
  });

  it('a leading wildcard does not match a "$" topic ([MQTT-4.7.2-1])', () => {
    expect(receives('#', ['$SYS/monitor/Clients', 'sport'])).toEqual(['sport']);
    expect(receives('+/monitor/Clients', ['$SYS/monitor/Clients'])).toEqual([]);
    expect(receives('$SYS/#', ['$SYS/monitor/Clients'])).toEqual(['$SYS/monitor/Clients']);
    expect(receives('$SYS/monitor/+', ['$SYS/monitor/Clients'])).toEqual(['$SYS/monitor/Clients']);
  });

  it('topics are case-sensitive and an empty level is a level', () => {
    expect(receives('ACCOUNTS', ['accounts', 'ACCOUNTS', 'Accounts'])).toEqual(['ACCOUNTS']);
    expect(receives('a/+/b', ['a//b', 'a/b'])).toEqual(['a//b']);
  });
});

describe('bad filters and topics get a reason naming what is wrong', () => {
  const errorOf = (filter: string) => courseTopics({ ...TOPICS_DEFAULTS, filters: filter }).filters[0]!.error;
  it.each([
    ['a/#/b', 'topic filter "a/#/b": # must be the whole last level [MQTT-4.7.1-2]'],
    ['sport/tennis#', 'topic filter "sport/tennis#": # must be the whole last level [MQTT-4.7.1-2]'],
    ['a+', 'topic filter "a+": + must fill a whole level [MQTT-4.7.1-3]'],
    ['sport+', 'topic filter "sport+": + must fill a whole level [MQTT-4.7.1-3]'],
    ['$share//x', 'shared subscription "$share//x" has an empty ShareName: write $share/{ShareName}/{filter} (MQTT 5 section 4.8.2)'],
    ['$share/g+/x', 'shared subscription "$share/g+/x": the ShareName "g+" may not contain + or # (MQTT 5 section 4.8.2)'],
    ['$share/g', 'shared subscription "$share/g" has no topic filter: write $share/{ShareName}/{filter} (MQTT 5 section 4.8.2)'],
    ['$share/g/a#', 'shared subscription "$share/g/a#": topic filter "a#": # must be the whole last level [MQTT-4.7.1-2]'],
    ['$share/g/', 'shared subscription "$share/g/": topic filter is empty; it must be at least one character [MQTT-4.7.3-1]'],
  ])('%s', (filter, reason) => {
    expect(errorOf(filter)).toBe(reason);
    expect(filterLineError(filter)).toBe(reason);
  });

  it('a topic name with a wildcard is not published, and says why', () => {
    const r = courseTopics({ ...TOPICS_DEFAULTS, topics: 'a/+\nsport' });
    expect(r.topics[0]).toEqual({ text: 'a/+', error: 'topic name "a/+" contains a wildcard (+ or #), which only filters may use [MQTT-3.3.2-2]', receivedBy: [] });
    expect(r.published.map((p) => r.topics[p.topic]!.text)).toEqual(['sport']);
  });

  it('a refused filter\'s subscriber receives nothing, and the others are unaffected', () => {
    const r = courseTopics({ ...TOPICS_DEFAULTS, topics: 'a/x/b', filters: 'a/#/b\na/+/b' });
    expect(r.filters.map((f) => f.received.length)).toEqual([0, 1]);
  });

  it('says when a list is longer than the page takes', () => {
    const r = courseTopics({ ...TOPICS_DEFAULTS, topics: Array.from({ length: 70 }, (_, i) => `t/${i}`).join('\n') });
    expect(r.problem).toBe('70 topics: this page takes at most 64');
    expect(r.topics).toHaveLength(64);
  });

  it('refuses input that is not text, naming the field', () => {
    expect(() => runCourse('topics', { ...TOPICS_DEFAULTS, rounds: 9 })).toThrow(/topics widget's input is not valid: rounds/);
  });
});

describe('shared subscriptions: one member of a group gets each message (MQTT 5 section 4.8.2)', () => {
  it('two members take turns, in the order they subscribed, beside an ordinary subscriber', () => {
    const input: TopicsInput = { topics: 'sensors/kitchen/temp\nsensors/garden/temp', filters: '$share/dash/sensors/#\n$share/dash/sensors/#\nsensors/#', version: '5', rounds: 2 };
    const r = courseTopics(input);
    // Four messages: kitchen, garden, kitchen, garden. The group's members alternate; the plain subscriber gets all four.
    expect(r.published.map((p) => p.receivers)).toEqual([[0, 2], [1, 2], [0, 2], [1, 2]]);
    expect(r.filters.map((f) => [f.group, f.filter])).toEqual([['dash', 'sensors/#'], ['dash', 'sensors/#'], [undefined, undefined]]);
  });

  it('two groups each get every message once', () => {
    const r = courseTopics({ topics: 'x', filters: '$share/a/x\n$share/a/x\n$share/b/x', version: '5', rounds: 2 });
    expect(r.published.map((p) => p.receivers)).toEqual([[0, 2], [1, 2]]);
  });

  it('a 3.1.1 client may join a group too, as mosquitto allows', () => {
    const r = courseTopics({ topics: 'x', filters: '$share/a/x\n$share/a/x', version: '3.1.1', rounds: 2 });
    expect(r.published.map((p) => p.receivers)).toEqual([[0], [1]]);
  });
});

describe('the default tree', () => {
  it('agrees with the engine\'s topicMatches for every ordinary filter and topic', () => {
    const r = courseTopics(TOPICS_DEFAULTS);
    const names = linesOf(TOPICS_DEFAULTS.topics);
    r.filters.forEach((f, k) => {
      if (f.group !== undefined) return;
      const expected = names.filter((n) => topicMatches(f.text, n));
      expect([f.text, r.topics.filter((t) => t.receivedBy.includes(k)).map((t) => t.text)]).toEqual([f.text, expected]);
    });
  });

  it('delivers the starting tree as the chapter describes it', () => {
    const r = courseTopics(TOPICS_DEFAULTS);
    expect(r.topics.map((t) => [t.text, t.receivedBy])).toEqual([
      ['sport/tennis/player1', [0, 1, 4]],
      ['sport/tennis/player1/ranking', [0, 4]],
      ['sport/tennis/player2', [1, 4]],
      ['sport', [4]],
      ['sport/', [2, 3, 4]],
      ['/finance', [3, 4]],
      ['$SYS/monitor/Clients', [5]],
      ['sensors/kitchen/temp', [4, 6]],
      ['sensors/garden/temp', [4, 7]],
    ]);
  });
});

describe("the chapter's questions", () => {
  it('mark as right what the broker delivered', async () => {
    const { topicsChecks } = await import('../../../src/worker/course/topics-checks.ts');
    expect(topicsChecks().map((q) => [q.id, q.choices[q.answer]])).toEqual([
      ['ch8-plus', '"sport/" and "sport/tennis"'],
      ['ch8-sys', 'Neither'],
      ['ch8-share', '2'],
      ['ch8-transfer-filter', '"home/kitchen/temp"'],
    ]);
  });
});
