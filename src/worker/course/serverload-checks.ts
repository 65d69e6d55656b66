/**
 * Chapter 10's questions on one server with many clients: what a connection costs the hub when
 * idle and when busy, packets per reading, and where a single consumer becomes the limit. Right
 * answers come from the runs of ./serverload-run.ts; each wrong choice is the answer a named slip gives.
 */
import { numericQuestion } from './checks.ts';
import { perReceived } from './serverload-figures.ts';
import { loadAt, SERVERLOAD_RUNS } from './serverload-run.ts';
import type { CheckQuestion } from './types.ts';

const dec = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

export function serverLoadChecks(): CheckQuestion[] {
  const run = SERVERLOAD_RUNS.defaults();
  const hundred = loadAt(run, 100);
  const thousand = loadAt(run, 1000);
  const slow = SERVERLOAD_RUNS.slow();
  const ws = hundred.ws;
  const wsPackets = Math.round(perReceived(ws, ws.packetsIn + ws.packetsOut) * 10) / 10;
  const ratio = slow.retransmitTimers.mean / hundred.mqtt.retransmitTimers.mean;
  const same = ratio > 0.8 && ratio < 1.25;
  return [
    numericQuestion(
      'ch10-ws-packets',
      'Devices send 64-byte readings to a WebSocket server whose application answers nothing. Counting both directions, how many packets cross the server\'s link for each reading?',
      wsPackets,
      [
        { value: 1, slip: 'Forgets TCP: the server\'s TCP acknowledges every segment it receives.' },
        { value: 3, slip: 'Counts a WebSocket-level acknowledgement: the protocol has none; only TCP acknowledges.' },
        { value: 4, slip: 'Thinks the server acknowledges like an MQTT broker at QoS 1 (a PUBACK and its ACK). A WebSocket server that answers nothing sends only the TCP ACK.' },
      ],
      '',
      `${dec(wsPackets)}: the frame in (64 + 6 bytes of masked frame header + 52 of IPv4 and TCP) and a 52-byte ACK out. Through the broker at QoS 1 it was ${dec(perReceived(hundred.mqtt, hundred.mqtt.packetsIn + hundred.mqtt.packetsOut))}: the PUBLISH in, its ACK and PUBACK out, and the copy to the dashboard with its acknowledgements.`,
    ),
    {
      id: 'ch10-rate-not-n',
      prompt: 'Two brokers at QoS 1: one with 100 devices sending a reading every second, the other with 1,000 devices sending one every 10 seconds. Which holds more armed TCP retransmit timers and more segments waiting for acknowledgement, on average?',
      choices: [
        'The one with 1,000 devices: about ten times as many.',
        'About the same: both take in 100 readings a second.',
        'The one with 100 devices: its devices are busier.',
        'Neither holds any: TCP only arms a timer after a loss.',
      ],
      answer: same ? 1 : ratio >= 1.25 ? 0 : 2,
      slips: [
        'Counts per connection: an idle connection holds no unacknowledged data, so it has no retransmit timer armed. Only data in flight does.',
        null,
        'Busier devices send more each, but the broker\'s holdings follow the readings per second arriving in total, here the same.',
        'TCP arms its retransmission timer whenever it has data out that is not yet acknowledged, lost or not; it is stopped when the ACK arrives.',
      ],
      explanation: `Measured: ${dec(hundred.mqtt.retransmitTimers.mean)} and ${dec(slow.retransmitTimers.mean)} retransmit timers on average, ${dec(hundred.mqtt.scoreboardSegments.mean)} and ${dec(slow.scoreboardSegments.mean)} segments out, with ${hundred.mqtt.tcpConnections.mean.toLocaleString('en-US')} and ${slow.tcpConnections.mean.toLocaleString('en-US')} connections. What is held for a while follows the message rate times how long each message is held (about one round trip); a connection costs its state, not timers, while it is quiet.`,
    },
    {
      id: 'ch10-one-consumer',
      prompt: `1,000 devices publish a QoS 1 reading a second each, and one dashboard subscribes to all of them through one broker (mosquitto's limits). In the measured ${run.windowS} s, ${thousand.mqtt.sent.toLocaleString('en-US')} readings were published. What held the dashboard back?`,
      choices: [
        'The broker\'s CPU: 1,000 connections are too many for it.',
        'The devices\' links: 10 Mbit/s is too slow for a reading a second.',
        'The dashboard\'s one connection: the broker keeps at most 20 QoS 1 messages unacknowledged to one client, so it can have 20 messages out per round of acknowledgements.',
        'Nothing: every reading arrived.',
      ],
      answer: thousand.mqtt.inflightMessages.peak === 20 && thousand.mqtt.received < thousand.mqtt.sent ? 2 : 3,
      slips: [
        'The simulator has no CPU cost at all, and it still happened: the limit is a protocol window, not processing.',
        `Each device sends ${64}-byte readings, one a second: a few hundred bits per second of a 10 Mbit/s link.`,
        null,
        `Only ${thousand.mqtt.received.toLocaleString('en-US')} arrived in the window; the broker queued the rest (up to ${thousand.mqtt.queuedMessages.peak.toLocaleString('en-US')}) and dropped ${thousand.mqtt.dropped.toLocaleString('en-US')} when its queue was full.`,
      ],
      explanation: `The dashboard received ${thousand.mqtt.received.toLocaleString('en-US')} of ${thousand.mqtt.sent.toLocaleString('en-US')}; the broker had ${thousand.mqtt.inflightMessages.peak} in flight to it at most, queued up to ${thousand.mqtt.queuedMessages.peak.toLocaleString('en-US')} behind them and dropped ${thousand.mqtt.dropped.toLocaleString('en-US')}. The WebSocket server's own application took all ${thousand.ws.received.toLocaleString('en-US')} it was sent in the window. Shared subscriptions (below) split such a stream between consumers.`,
    },
  ];
}
