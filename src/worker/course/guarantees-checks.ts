/**
 * Chapter 5's "check your understanding": each right answer is computed by a run of the chapter's
 * experiment, and each wrong choice is what a named misconception predicts (shown when picked).
 */
import { numericQuestion } from './checks.ts';
import { courseGuarantees, roundTripCost } from './guarantees-run.ts';
import { figureRuns, GUARANTEES_DEFAULTS as D } from './guarantees-figures.ts';
import type { CheckQuestion } from './types.ts';

/** One-way latency of each hop in the transfer question, ms (each access link carries half). */
const FAR_ONE_WAY_MS = 100;

export function guaranteesChecks(): CheckQuestion[] {
  // Transfer of the worked example: the same count on a slower path.
  const far = roundTripCost({ ...D, latencyMs: FAR_ONE_WAY_MS / 2 }, 'qos2').cost;
  const o = FAR_ONE_WAY_MS;
  const base = figureRuns.qos1Kept();
  const cleanQos2 = base.comparison.find((r) => r.strategy === 'qos2' && r.session === 'clean')!.counts;
  const outageReadings = (D.outageS * 1000) / D.everyMs;
  const down = figureRuns.downgraded();
  const wsAcksDash = courseGuarantees({ ...D, strategy: 'ws-acks', impaired: 'dashboard' }, { compare: false });
  const queue = figureRuns.smallQueue();
  const wsResumeDash = courseGuarantees({ ...D, strategy: 'ws-resume', impaired: 'dashboard' }, { compare: false });
  return [
    numericQuestion(
      'ch5-qos2-far',
      `Every hop now takes ${o} ms one way (a round trip of ${2 * o} ms). A single QoS 2 reading goes from the sensor through the broker to the dashboard, nothing lost. How long after the sensor's publish call does the dashboard's application get it?`,
      far.latencyMs,
      [
        { value: 2 * o, slip: 'QoS 2 as if it were QoS 1: the receiver hands the reading on when the PUBLISH arrives, so the extra packets seem to cost nothing before delivery.' },
        { value: 4 * o, slip: 'The broker forwarding as soon as the PUBLISH arrives (method B), while only the dashboard waits for PUBREL. mosquitto waits for the sensor\'s PUBREL first.' },
        { value: 8 * o, slip: 'Waiting for PUBCOMP too. PUBCOMP only tells the sender it may forget the packet id; the receiver has handed the reading on before sending it.' },
      ],
      ' ms',
      `${far.latencyMs} ms: on each hop PUBLISH, PUBREC and PUBREL are three one-way trips (${3 * o} ms) before the receiver hands the reading on, and the broker forwards only after the sensor's PUBREL: twice ${3 * o} ms, three round trips.`,
    ),
    {
      id: 'ch5-pubcomp-means',
      prompt: 'The sensor publishes at QoS 2 and receives the PUBCOMP. What does that tell it?',
      choices: [
        'The broker has the reading and will not deliver it twice; nothing yet about the dashboard.',
        "The dashboard's application has the reading.",
        'The reading will reach the dashboard exactly once, whatever happens next.',
      ],
      answer: 0,
      explanation: `QoS is agreed per hop: the PUBCOMP closes the exchange between the sensor and the broker. With the dashboard's queue at the broker limited to 10 messages and its link dark for ${D.outageS} s, the sensor got ${queue.sensorAcks} acknowledgements for its ${queue.counts.sent} readings and the broker still dropped ${queue.limits?.queueDropped ?? 0} of them.`,
      slips: [
        null,
        "QoS is end to end. It is not: the sensor's QoS 2 exchange ends at the broker, which starts a new one with the dashboard.",
        "The guarantee is unbounded. It lasts as long as the session, the queue and the broker's limits allow.",
      ],
    },
    numericQuestion(
      'ch5-qos2-clean',
      `QoS 2 with clean sessions, the broker's link dark for ${D.outageS} s, ${D.count} readings every ${D.everyMs} ms. How many readings never reach the dashboard?`,
      cleanQos2.lost,
      [
        { value: 0, slip: 'QoS 2 never loses a message. Its promise lives in the session state; a clean session throws that state away on reconnecting.' },
        { value: outageReadings, slip: `Only the readings sent during the outage (${outageReadings}). The sensor keeps writing into the dead connection until its keepalive gives up, and those are in flight too.` },
      ],
      '',
      `${cleanQos2.lost}: every reading in flight at the sensor when it reconnected with a clean session was discarded with the session, unacknowledged and never resent. With a kept session the same run lost none.`,
    ),
    numericQuestion(
      'ch5-downgrade',
      `The sensor publishes at QoS 2 with kept sessions, but the dashboard subscribed at QoS 0. The dashboard's link goes dark for ${D.outageS} s. How many of the ${D.count} readings does it miss?`,
      down.counts.lost,
      [
        { value: 0, slip: "The publisher's QoS protects the whole path. The broker sends each reading at the lower of the publish and the subscription QoS: here 0." },
        { value: outageReadings, slip: `Only the readings sent during the outage (${outageReadings}). The broker keeps writing to the dead connection until 1.5 keepalives pass without a packet from the dashboard.` },
      ],
      '',
      `${down.counts.lost}: the second hop ran at QoS 0, so what the broker wrote into the dead connection was gone, and a QoS 0 subscriber gets nothing queued while offline.`,
    ),
    numericQuestion(
      'ch5-ws-acks-hop',
      `A WebSocket sensor resends every reading until the server acknowledges it, and reconnects after an outage; the dashboard reconnects too, but the server keeps no buffer. The dashboard's link goes dark for ${D.outageS} s. How many of the ${D.count} readings does the dashboard miss?`,
      wsAcksDash.counts.lost,
      [{ value: 0, slip: "Acknowledgements on the sensor's connection protect the dashboard's too. They cover one hop; the server's relay to the dashboard needs its own (a buffer and resume)." }],
      '',
      `${wsAcksDash.counts.lost}: the sensor's hop lost nothing, but every reading the server relayed into the dead connection, or while the dashboard was away, was gone. With a buffer on the server and resume on the dashboard, the same outage cost ${wsResumeDash.counts.lost}.`,
    ),
  ];
}
