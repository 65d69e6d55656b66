/**
 * Chapter 8's "check your understanding" on fan-out: concepts (who pays for one-to-many; what an
 * acknowledgement per copy costs) and transfer to a subscriber count the page does not show. Right
 * answers come from the runs of ./fanout-run.ts; each wrong choice is the answer a named slip gives.
 */
import { numericQuestion } from './checks.ts';
import { FANOUT_RUNS, pointOf } from './fanout-run.ts';
import { FANOUT_DEFAULTS, fanoutTiming, MESSAGES } from './fanout-scenario.ts';
import type { CheckQuestion } from './types.ts';

export function fanoutChecks(): CheckQuestion[] {
  const k = FANOUT_RUNS.thousand();
  const thousand = pointOf(k, 1000);
  const one = pointOf(k, 1);
  const q0 = pointOf(FANOUT_RUNS.defaults(), 100);
  const q1 = pointOf(FANOUT_RUNS.qos1(), 100);
  const fifty = FANOUT_RUNS.fifty();
  const pub = thousand.mqtt.publisher;
  const copy = one.mqtt.perSubscriber.bytesIn;
  const ack = one.mqtt.publisher.bytesIn;

  return [
    numericQuestion(
      'ch8-publisher',
      `A publisher sends one ${FANOUT_DEFAULTS.payloadBytes}-byte QoS 0 message to a topic that 1,000 clients subscribe to. How many packets leave the publisher's own link for it?`,
      pub.packetsOut,
      [
        { value: 1000, slip: 'Thinks the publisher sends a copy to every subscriber. It sends one PUBLISH to the broker, which makes the copies.' },
        { value: 1001, slip: 'Counts the broker\'s copies as the publisher\'s packets. They leave the broker\'s link, not the publisher\'s.' },
        { value: pub.packetsOut + pub.packetsIn, slip: 'Counts the ACK coming back as well: that one arrives on the link, it does not leave it.' },
      ],
      '',
      `${pub.packetsOut}: one PUBLISH of ${pub.bytesOut} bytes on the wire, and one TCP acknowledgement comes back. At 1 subscriber it was the same; the 1,000 copies (${thousand.mqtt.hub.packetsOut.toLocaleString('en-US')} packets with the publisher's ACK) leave the broker.`,
    ),
    numericQuestion(
      'ch8-qos1',
      `With QoS 1 on both sides and 100 subscribers, the publisher sends ${MESSAGES} messages, ${fanoutTiming({ ...FANOUT_DEFAULTS, qos: 1 }).gapS * 1000} ms apart, the first almost a second after the subscriptions. How many packets arrive at the broker's link per message, on average?`,
      q1.mqtt.hub.packetsIn,
      [
        { value: q0.mqtt.hub.packetsIn, slip: 'Forgets the PUBACKs: at QoS 1 every subscriber answers each copy with a PUBACK.' },
        { value: 2, slip: 'Counts only the publisher\'s side: the PUBLISH and its PUBACK exchange. Each subscriber acknowledges its own copy to the broker.' },
        { value: 2 + 100, slip: 'Forgets the first message: each subscriber had sent nothing since it subscribed, so it was not interactive, and its TCP acknowledged that copy at once, in a packet of its own, before the PUBACK.' },
        { value: 2 + 2 * 100, slip: 'Counts a TCP acknowledgement of its own for every copy. A subscriber that answers each copy with a PUBACK is interactive (Linux\'s pingpong mode), and its acknowledgement rides on the PUBACK.' },
      ],
      '',
      `${q1.mqtt.hub.packetsIn}: the PUBLISH and the publisher's ACK of the broker's PUBACK, and from each of the 100 subscribers a PUBACK carrying TCP's acknowledgement; for the first message each subscriber also sent an ACK of its own first (100 packets over ${MESSAGES} messages: ${q1.mqtt.hub.packetsIn - 102} a message). At QoS 0 it was ${q0.mqtt.hub.packetsIn}.`,
    ),
    numericQuestion(
      'ch8-transfer',
      `The page's chart shows 1, 10, 100 and 1,000 subscribers. One copy of a ${FANOUT_DEFAULTS.payloadBytes}-byte QoS 0 message to one subscriber is ${copy} bytes on the wire, and the broker's ACK to the publisher ${ack} bytes. How many bytes leave the broker's link per message with 50 subscribers?`,
      fifty.mqtt.hub.bytesOut,
      [
        { value: 50 * copy, slip: 'Forgets the broker\'s acknowledgement to the publisher: it leaves the same link.' },
        { value: 50 * FANOUT_DEFAULTS.payloadBytes, slip: 'Counts only the payload: every copy also carries its PUBLISH header and 52 bytes of IPv4 and TCP headers.' },
        { value: copy + ack, slip: 'Thinks the broker sends one packet whatever the number of subscribers (a multicast). Over TCP each subscriber gets its own copy on its own connection.' },
      ],
      ' bytes',
      `${fifty.mqtt.hub.bytesOut.toLocaleString('en-US')} bytes: 50 copies of ${copy} bytes and one ACK of ${ack}. The cost at the hub grows in a straight line with the subscribers (the simulator ran 50 to check).`,
    ),
    {
      id: 'ch8-rooms',
      prompt: `A WebSocket server relays each message of one client to the ${(1000).toLocaleString('en-US')} other members of its room; an MQTT broker forwards a message to ${(1000).toLocaleString('en-US')} subscribers. Which statement matches what the simulator measured?`,
      choices: [
        'The WebSocket publisher sends 1,000 messages, the MQTT publisher one.',
        'Both hubs send one copy per receiver; the publisher\'s cost is the same at 1 and at 1,000 in both, and the server sends slightly fewer bytes because its frame header is smaller than a PUBLISH header.',
        'The broker sends one copy that the network duplicates; the server sends 1,000.',
        'The server sends 1,000 copies and the broker about 10, thanks to MQTT\'s compact format.',
      ],
      answer: 1,
      slips: [
        `The sender in a room sends one message to the server (${thousand.ws.publisher.packetsOut} packet); the server makes the copies, as a broker does.`,
        null,
        'TCP is point to point: no router duplicates a packet for several connections. The broker writes every copy itself.',
        `A compact header shrinks each copy, it does not remove copies: the broker sent ${thousand.mqtt.hub.packetsOut.toLocaleString('en-US')} packets.`,
      ],
      explanation: `At 1,000 receivers the broker sent ${thousand.mqtt.hub.bytesOut.toLocaleString('en-US')} bytes per message and the server ${thousand.ws.hub.bytesOut.toLocaleString('en-US')}; each publisher ${(pub.bytesOut + pub.bytesIn).toLocaleString('en-US')} and ${(thousand.ws.publisher.bytesOut + thousand.ws.publisher.bytesIn).toLocaleString('en-US')} bytes. One-to-many costs the hub the same way in both; the difference is who wrote the fan-out code.`,
    },
  ];
}
