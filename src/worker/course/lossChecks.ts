/**
 * Chapter 4's "check your understanding": concepts (a dropped packet against a lost message; who
 * resends on a live connection; why two streams on one link differ) and transfer to settings the
 * page does not show (one reading a second; loss four times higher). Right answers come from the
 * runs of ./lossRuns.ts and the Mathis model; each wrong choice is the answer a named slip gives.
 */
import { numericQuestion } from './checks.ts';
import { mathisKbps } from './lossGoodput.ts';
import { LOSS_RUNS, retransmissions, stream } from './lossRuns.ts';
import { LOSS_DEFAULTS } from './lossStreams.ts';
import type { CheckQuestion } from './types.ts';

const fmt = (v: number | null) => (v === null ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: 1 }));

export function lossChecks(): CheckQuestion[] {
  const d = LOSS_RUNS.defaults();
  const qos0 = stream(d, 'qos0');
  const qos1 = stream(d, 'qos1');
  const sparse = stream(LOSS_RUNS.cleanSparse(), 'qos0');
  const r10 = LOSS_RUNS.random10();
  const nd10 = LOSS_RUNS.random10NoDelaySeeds();
  // The median over the seeds of each stream's median latency.
  const medianOf = (id: 'qos0' | 'ws') => {
    const v = nd10.map((run) => stream(run, id).p50 ?? Infinity).sort((a, b) => a - b);
    return v[(v.length - 1) >> 1]!;
  };
  const expected5pct = Math.round(0.05 * qos0.sent);
  const oneWay = LOSS_DEFAULTS.latencyMs;
  const p50 = sparse.p50 ?? 0;
  const r = (v: number) => Math.round(v * 10) / 10;

  // Evidence for the "why" question: with TCP_NODELAY the QoS 0 median falls to WebSocket's. Over
  // several seeds, since in one a retransmission timeout early in the stream can hold half of it
  // (seed 1 does: 100.6 ms against 50.7).
  const gapDefaults = (stream(r10, 'qos0').p50 ?? 0) - (stream(r10, 'ws').p50 ?? 0);
  const gapNoDelay = medianOf('qos0') - medianOf('ws');
  if (!(gapDefaults > 100 && Math.abs(gapNoDelay) < 5)) throw new Error(`chapter 4's Nagle question no longer matches the simulator (gaps ${gapDefaults} and ${gapNoDelay} ms)`);

  const base = 2000;
  const quadrupled = Math.round((base * mathisKbps(1448, 50, 4, Infinity)) / mathisKbps(1448, 50, 1, Infinity));

  return [
    numericQuestion(
      'ch4-lost',
      `At 5 % random loss the link dropped ${qos0.tcp.dropped} of the QoS 0 stream's packets. How many of its ${qos0.sent} readings never reached the subscriber?`,
      qos0.lost,
      [
        { value: expected5pct, slip: 'Takes 5 % of the readings as lost. A dropped packet is not a lost message: while the connection lives, TCP resends it.' },
        { value: qos0.tcp.dropped, slip: 'Counts every dropped packet as a lost reading. TCP resent each one (and some of them carried only acknowledgements).' },
      ],
      '',
      `${qos0.lost}: TCP resent every dropped segment, so all ${qos0.delivered} readings arrived; the loss showed up as delay instead (median ${fmt(qos0.p50)} ms, slowest ${fmt(qos0.max)} ms).`,
    ),
    numericQuestion(
      'ch4-retries',
      `In the same run, how many PUBLISH packets did the QoS 1 publisher and the broker send again with the DUP flag?`,
      qos1.tcp.appResends,
      [
        { value: retransmissions(qos1), slip: "Counts TCP's retransmissions as MQTT retries. On a live connection MQTT never resends; TCP repairs the stream underneath it." },
        { value: qos1.tcp.dropped, slip: 'Assumes each dropped packet makes MQTT resend a PUBLISH.' },
      ],
      '',
      `${qos1.tcp.appResends}: MQTT resends a PUBLISH only after a reconnect. TCP did the ${retransmissions(qos1)} retransmissions (${qos1.tcp.probe} tail loss probes, ${qos1.tcp.fastRetransmit} fast, ${qos1.tcp.rto} after a timeout).`,
    ),
    numericQuestion(
      'ch4-sparse',
      `A sensor publishes one reading a second (QoS 0, mqtt.js and mosquitto defaults, Nagle on) over a clean link: ${oneWay} ms each way into the broker and out of it. What is a reading's median latency?`,
      r(p50),
      [
        { value: r(p50 - oneWay), slip: 'Forgets the broker: the reading crosses the link into the broker and again out to the subscriber.' },
        { value: r(p50 + 40), slip: "Adds a 40 ms delayed ACK to every reading. Nagle holds a small write only while earlier data is unacknowledged, and at one reading a second there never is any." },
        { value: r(p50 + 2 * oneWay), slip: 'Waits for an acknowledgement before delivering: QoS 0 has none, and TCP delivers as soon as the bytes arrive.' },
      ],
      ' ms',
      `${fmt(p50)} ms: two crossings of ${oneWay} ms. At one reading a second no reading finds unacknowledged data before it, so Nagle never holds one; at one every 50 ms it did (the page's default).`,
    ),
    numericQuestion(
      'ch4-mathis',
      `Mathis's model gives a Reno transfer ${base.toLocaleString('en-US')} kbit/s at 1 % loss. What does it give on the same path at 4 % loss?`,
      quadrupled,
      [
        { value: base / 4, slip: 'Divides by the loss rate. The model goes with one over the square root of the loss: four times the loss, half the goodput.' },
        { value: base, slip: 'Expects TCP to repair loss for free. Each loss halves Reno\'s window, and more losses keep the window small.' },
        { value: base - 3 * 20, slip: 'Subtracts the lost packets\' share from the goodput. The window, not the resent bytes, sets the rate.' },
      ],
      ' kbit/s',
      `${quadrupled.toLocaleString('en-US')} kbit/s: goodput ∝ 1/√p, and √4 = 2.`,
    ),
    {
      id: 'ch4-why',
      prompt: `At 10 % random loss the QoS 0 stream's median latency was ${fmt(stream(r10, 'qos0').p50)} ms and the WebSocket stream's ${fmt(stream(r10, 'ws').p50)} ms, over the same link with the same loss. What made the difference?`,
      choices: [
        'The broker is an extra hop that WebSocket does not have.',
        'MQTT resends lost messages, and its resends take time.',
        "Nagle's algorithm: mqtt.js and mosquitto hold a small message while earlier data is unacknowledged, so one loss stalls the readings queued behind it.",
        'WebSocket dropped its late messages instead of waiting for them.',
      ],
      answer: 2,
      slips: [
        'Both streams pass through a hub here: the WebSocket server relays each reading, as the broker does, over the same lossy link.',
        `MQTT resent nothing (no PUBLISH with DUP); TCP repaired both streams the same way.`,
        null,
        `WebSocket delivered all ${stream(r10, 'ws').delivered} of ${stream(r10, 'ws').sent}: it has no way to drop a message on a live connection.`,
      ],
      explanation: `With TCP_NODELAY on the MQTT clients and broker, the QoS 0 median at 10 % loss fell to ${fmt(medianOf('qos0'))} ms, beside WebSocket's ${fmt(medianOf('ws'))} ms (the middle of ${nd10.length} runs, seeds 1 to ${nd10.length}): the gap was Nagle holding readings behind each repair.`,
    },
  ];
}
