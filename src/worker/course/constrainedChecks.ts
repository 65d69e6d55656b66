/**
 * Chapter 9's "check your understanding": concepts (what a reading costs beyond its payload; what
 * keeps a radio on) and transfer to settings the page does not show (another link, no tail, a
 * different keepalive). Right answers come from the runs of ./constrainedRuns.ts; each wrong
 * choice is the answer a named slip gives, computed the same way.
 */
import { numericQuestion } from './checks.ts';
import { connectOf } from './constrainedFigures.ts';
import { CONSTRAINED_DEFAULTS, CONSTRAINED_RUNS, cost } from './constrainedRuns.ts';
import type { CheckQuestion } from './types.ts';

const r1 = (v: number) => Math.round(v * 10) / 10;
const r0 = Math.round;

export function constrainedChecks(): CheckQuestion[] {
  const d = CONSTRAINED_RUNS.defaults();
  const longKa = CONSTRAINED_RUNS.longKeepalive();
  const short = CONSTRAINED_RUNS.shortTail();
  const shortGeo = CONSTRAINED_RUNS.shortTailGeo();
  const slow = CONSTRAINED_RUNS.csd96();
  const ws = cost(d, 'ws');
  const qos0 = cost(d, 'qos0');
  const payload = CONSTRAINED_DEFAULTS.payloadBytes;
  const perDay = 86_400 / CONSTRAINED_DEFAULTS.everyS;
  const tail = CONSTRAINED_DEFAULTS.tailS;

  // Evidence for the "what helps most" question: a keepalive longer than the reading interval
  // saves more radio time than any choice of protocol or QoS; checked here so the question cannot
  // outlive the simulator's agreement with it.
  const saved = qos0.radioHoursPerDay - cost(longKa, 'qos0').radioHoursPerDay;
  const byWs = qos0.radioHoursPerDay - ws.radioHoursPerDay;
  const byQos1 = qos0.radioHoursPerDay - cost(d, 'qos1').radioHoursPerDay;
  if (!(saved > byQos1 && saved > 0.5 * byWs && cost(longKa, 'qos0').pings < qos0.pings))
    throw new Error(`chapter 9's keepalive question no longer matches the simulator (saved ${saved} h, WebSocket ${byWs} h, QoS 1 ${byQos1} h)`);

  const tenBytesMs = r1((10 * 8) / d.preset.upKbps);
  const geoQos2 = cost(shortGeo, 'qos2').radio.onS;
  const geoQos0 = cost(shortGeo, 'qos0').radio.onS;
  const rttGeo = shortGeo.rttMs;
  const shortTail = shortGeo.input.tailS;
  const wsTls = connectOf(slow, 'websocket', true);
  const wsPlain = connectOf(slow, 'websocket', false);

  return [
    numericQuestion(
      'ch9-bytes',
      `A device sends a ${payload}-byte reading over WebSocket every ${CONSTRAINED_DEFAULTS.everyS / 60} minutes on NB-IoT, no TLS, no heartbeat. Counting every IP packet both ways, how many bytes does one reading cost?`,
      r0(ws.bytesPerReading),
      [
        { value: payload, slip: 'Counts only the payload. Every packet carries 52 bytes of IPv4 and TCP headers, and TCP answers the reading with an ACK of its own.' },
        { value: payload + 6, slip: 'Counts the WebSocket frame (2 bytes of header and a 4-byte mask) but not the IP and TCP headers under it, nor the ACK that comes back.' },
        { value: r0(ws.upBytes), slip: 'Counts the packet that carries the reading but not the pure ACK the server sends back.' },
      ],
      ' bytes',
      `${r0(ws.bytesPerReading)} bytes: the reading in a ${payload + 6}-byte frame inside one ${r0(ws.upBytes)}-byte IP packet, and the server's ${r0(ws.downBytes)}-byte ACK.`,
    ),
    numericQuestion(
      'ch9-keepalive',
      `The same device over MQTT QoS 0 with mqtt.js's keepalive of 60 s, one reading every ${CONSTRAINED_DEFAULTS.everyS / 60} minutes, a ${tail} s radio tail. How many hours a day is its radio on?`,
      r1(qos0.radioHoursPerDay),
      [
        { value: r1(ws.radioHoursPerDay), slip: 'Counts only the readings. With nothing acknowledged at QoS 0, mqtt.js sends a PINGREQ every keepalive period, and every ping wakes the radio for a whole tail.' },
        { value: Math.round((perDay * qos0.radio.airtimeS * 100) / 3600) / 100, slip: 'Counts only the time the bits take. The radio stays on while it waits for answers and for the inactivity timer after every burst, and that is most of its time.' },
        { value: 24, slip: 'Thinks an open connection keeps the radio on. An idle TCP connection sends nothing, and the radio sleeps between packets while the connection stays open.' },
      ],
      ' hours',
      `${r1(qos0.radioHoursPerDay)} hours: ${r1(qos0.radio.wakeups)} wake-ups per reading (the reading, and pings in between), each followed by the ${tail} s tail. With the keepalive at 600 s it fell to ${r1(cost(longKa, 'qos0').radioHoursPerDay)} hours.`,
    ),
    numericQuestion(
      'ch9-round-trips',
      `A device on a GEO satellite link (round trip ${r0(rttGeo)} ms) whose network releases the radio after only ${shortTail} s of silence sends one ${payload}-byte reading at QoS 2, no keepalive. How long is its radio on for that reading?`,
      r1(geoQos2),
      [
        { value: r1(geoQos0), slip: 'Treats QoS 2 like QoS 0. The radio stays on while the device waits for answers, and PUBREC and PUBCOMP each come a round trip after what they answer.' },
        { value: r1(shortTail), slip: 'Counts only the tail. Before the silence starts, the device is on from its PUBLISH until the last answer is in: round trips.' },
        { value: r1(geoQos2 - shortTail + 10), slip: 'Uses the usual 10 s tail; this network releases the radio after 2 s.' },
      ],
      ' s',
      `${r1(geoQos2)} s, against ${r1(geoQos0)} s at QoS 0: the same short tail, plus the round trips each protocol waits through (the device's TCP waits for an ACK even at QoS 0). With a short tail, every round trip a protocol adds is battery.`,
    ),
    numericQuestion(
      'ch9-slow-connect',
      `On a 9.6 kbit/s link with 50 ms each way, a WebSocket client connects with TLS 1.3 and sends its first reading. How long until the reading reaches the server?`,
      r0(wsTls.firstArrivedMs),
      [
        { value: r0(wsTls.roundTripsOnlyMs), slip: 'Counts round trips only. On a slow link the bytes take the time: the TLS flights alone are kilobytes, each byte 0.83 ms at 9.6 kbit/s.' },
        { value: r0(wsPlain.firstArrivedMs), slip: 'Leaves out TLS: its handshake adds a round trip and several kilobytes of certificates and key shares.' },
        { value: r0(wsTls.firstArrivedMs / 4), slip: 'Takes the link for 9.6 kilobytes a second; it is 9.6 kilobits, 1.2 kilobytes a second.' },
      ],
      ' ms',
      `${r0(wsTls.firstArrivedMs).toLocaleString('en-US')} ms, of which the round trips are only ${r0(wsTls.roundTripsOnlyMs)} ms: ${wsTls.bytesBefore.toLocaleString('en-US')} bytes cross the link before the reading can leave.`,
    ),
    {
      id: 'ch9-what-helps',
      prompt: `An MQTT QoS 0 sensor on NB-IoT sends a reading every ${CONSTRAINED_DEFAULTS.everyS / 60} minutes with mqtt.js's defaults, and its battery runs down too fast. Which one change saves the most radio time?`,
      choices: [
        'Shorten the topic name from 12 characters to 2.',
        'Switch to QoS 1.',
        `Set the keepalive longer than the reading interval (here 600 s).`,
        'Switch from 20-byte to 10-byte readings.',
      ],
      answer: 2,
      slips: [
        `Ten bytes fewer per reading save ${tenBytesMs} ms of airtime at ${d.preset.upKbps} kbit/s; the radio is on for ${r0(qos0.radio.onS)} s per reading, mostly tails.`,
        `QoS 1 saved ${r1(byQos1)} hours a day here (its PUBACKs restart the keepalive timer), far less than the keepalive change.`,
        null,
        `Ten bytes fewer save ${tenBytesMs} ms of airtime per reading: bytes are not what keeps the radio on at this rate, the tail after every wake-up is.`,
      ],
      explanation: `With the keepalive at 600 s the radio was on ${r1(cost(longKa, 'qos0').radioHoursPerDay)} hours a day instead of ${r1(qos0.radioHoursPerDay)}: fewer wake-ups, each costing a ${tail} s tail. With a ${short.input.tailS} s tail and no keepalive, the QoS 0 device's radio was on ${r1(cost(short, 'qos0').radio.onS)} s per reading.`,
    },
  ];
}
