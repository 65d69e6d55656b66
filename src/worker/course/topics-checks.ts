/**
 * Chapter 8's questions on topic matching: the right answer of each is what the simulator's broker
 * delivered (./topics-run.ts), never a second matcher; each wrong choice is the answer a named
 * slip gives ("+" taken for "one or more levels", "#" taken to reach `$SYS`, a share group taken
 * for a broadcast).
 */
import { numericQuestion } from './checks.ts';
import { courseTopics } from './topics-run.ts';
import type { CheckQuestion } from './types.ts';

/** The topics of `names` that a subscriber to `filter` received, through the broker. */
function received(filter: string, names: string[]): string[] {
  const r = courseTopics({ topics: names.join('\n'), filters: filter, version: '5', rounds: 1 });
  return r.topics.filter((t) => t.receivedBy.includes(0)).map((t) => t.text);
}

/** Messages each member of a share group of `members` got when `count` were published to one topic. */
function shareCounts(members: number, count: number): number[] {
  const r = courseTopics({ topics: 'sensors/a', filters: Array.from({ length: members }, () => '$share/g/sensors/#').join('\n'), version: '5', rounds: count });
  return r.filters.map((f) => f.received.length);
}

const choiceQuestion = (id: string, prompt: string, options: { label: string; right: boolean; slip?: string }[], explanation: string): CheckQuestion => {
  const answer = options.findIndex((o) => o.right);
  if (answer < 0 || options.filter((o) => o.right).length !== 1) throw new Error(`question ${id}: the broker made ${options.filter((o) => o.right).length} of its choices right`);
  return { id, prompt, choices: options.map((o) => o.label), answer, explanation, slips: options.map((o) => (o.right ? null : (o.slip ?? null))) };
};

export function topicsChecks(): CheckQuestion[] {
  const plusNames = ['sport', 'sport/', 'sport/tennis', 'sport/tennis/player1'];
  const plus = received('sport/+', plusNames);
  const hashNames = ['$SYS/broker/load', 'sensors/kitchen/temp'];
  const hash = received('#', hashNames);
  const sysPlus = received('+/broker/load', ['$SYS/broker/load']);
  const counts = shareCounts(3, 6);
  const transferNames = ['home/kitchen/temp', 'home/kitchen', 'home/kitchen/temp/raw', 'office/kitchen/temp'];
  const transfer = received('home/+/temp', transferNames);
  const label = (names: string[]) => (names.length === 0 ? 'none of them' : names.map((n) => `"${n}"`).join(' and '));

  return [
    choiceQuestion(
      'ch8-plus',
      `A client subscribes to "sport/+". Which of ${label(plusNames)} does it receive?`,
      [
        { label: label(['sport/', 'sport/tennis']), right: plus.join() === 'sport/,sport/tennis' },
        { label: label(['sport/tennis', 'sport/tennis/player1']), right: plus.join() === 'sport/tennis,sport/tennis/player1', slip: '"+" is exactly one level, never more: "sport/tennis/player1" has two levels after "sport".' },
        { label: label(['sport', 'sport/tennis']), right: plus.join() === 'sport,sport/tennis', slip: '"+" needs a level to fill, and "sport" has none after it; "sport/" has one, an empty one.' },
        { label: label(['sport/tennis']), right: plus.join() === 'sport/tennis', slip: 'An empty level is a level: "sport/" ends in one, which "+" matches.' },
      ],
      `The broker delivered ${label(plus)}: "+" fills exactly one level, and an empty level counts (MQTT 5 section 4.7.1.2).`,
    ),
    choiceQuestion(
      'ch8-sys',
      `A monitoring client subscribes to "#" and another to "+/broker/load". The broker publishes "$SYS/broker/load". Who receives it?`,
      [
        { label: 'Both', right: hash.includes('$SYS/broker/load') && sysPlus.length === 1, slip: 'A filter that starts with a wildcard never matches a topic that starts with "$" ([MQTT-4.7.2-1]).' },
        { label: 'Only the "#" subscriber', right: hash.includes('$SYS/broker/load') && sysPlus.length === 0, slip: '"#" is a wildcard in the first level too, so it does not reach "$" topics either.' },
        { label: 'Only the "+/broker/load" subscriber', right: !hash.includes('$SYS/broker/load') && sysPlus.length === 1, slip: '"+" in the first level does not match "$SYS" either ([MQTT-4.7.2-1]).' },
        { label: 'Neither', right: !hash.includes('$SYS/broker/load') && sysPlus.length === 0 },
      ],
      `Through the broker, "#" received ${label(hash)} and "+/broker/load" received ${label(sysPlus)}: a leading wildcard does not match a topic name starting with "$" ([MQTT-4.7.2-1]). To see $SYS topics, subscribe to "$SYS/#".`,
    ),
    numericQuestion(
      'ch8-share',
      'Three clients subscribe to "$share/g/sensors/#" and a sensor publishes 6 messages to "sensors/a". How many does each of the three receive?',
      counts[0]!,
      [
        { value: 6, slip: 'Takes a share group for three ordinary subscriptions. A shared subscription gives each message to one member of the group (MQTT 5 section 4.8.2).' },
        { value: 1, slip: 'Thinks the group gets one message in all, or only the first. Every message goes to some member; the broker takes them in turn.' },
      ],
      '',
      `${counts.join(', ')}: each message went to one member, in turn, as mosquitto does it (the specification leaves the choice to the broker).`,
    ),
    choiceQuestion(
      'ch8-transfer-filter',
      `A home has topics ${label(transferNames)}. Which of them does "home/+/temp" receive?`,
      [
        { label: label(['home/kitchen/temp']), right: transfer.join() === 'home/kitchen/temp' },
        { label: label(['home/kitchen/temp', 'home/kitchen/temp/raw']), right: transfer.join() === 'home/kitchen/temp,home/kitchen/temp/raw', slip: 'A filter without "#" matches exactly as many levels as it has: "temp/raw" is one level too many.' },
        { label: label(['home/kitchen/temp', 'home/kitchen']), right: transfer.join() === 'home/kitchen/temp,home/kitchen', slip: '"+" stands for one level; "temp" must still follow it.' },
        { label: label(['home/kitchen/temp', 'office/kitchen/temp']), right: transfer.join() === 'home/kitchen/temp,office/kitchen/temp', slip: 'Only a wildcard level matches anything; "home" must match "home" exactly (and topics are case-sensitive).' },
      ],
      `The broker delivered ${label(transfer)}.`,
    ),
  ];
}
