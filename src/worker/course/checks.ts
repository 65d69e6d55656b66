/**
 * The "check your understanding" questions at the end of each chapter. Every right answer is
 * computed here, in the worker, by running the same engines the widgets use; the wrong choices are
 * the answers a reader gets from a typical slip (forgetting the masking key, counting one round
 * trip per packet...), also computed, never typed in.
 */
import { courseHandshake } from './handshake.ts';
import { layerBytes, mqttPublish, wsFrame } from './overhead.ts';
import { SAMPLE_TOPIC } from './samples.ts';
import type { CheckQuestion, TwoWaysResult } from './types.ts';

/** A question whose choices are the distinct values, sorted, with the answer's index found. */
export function numericQuestion(id: string, prompt: string, answer: number, distractors: number[], unit: string, explanation: string): CheckQuestion {
  const values = [...new Set([answer, ...distractors.filter((d) => Number.isFinite(d) && d >= 0)])].sort((a, b) => a - b);
  return {
    id,
    prompt,
    choices: values.map((v) => `${v.toLocaleString('en-US', { maximumFractionDigits: 1 })}${unit}`),
    answer: values.indexOf(answer),
    explanation,
  };
}

export function chapter2Checks(): CheckQuestion[] {
  const slow = courseHandshake({ latencyMs: 100, tls: false, mqttVersion: '3.1.1' });
  const slowTls = courseHandshake({ latencyMs: 100, tls: true, mqttVersion: '3.1.1' });
  const first = slow.websocket.firstSendMs;
  const addedRoundTrips = Math.round((slowTls.websocket.firstSendMs - first) / slowTls.rttMs);
  return [
    numericQuestion(
      'ch2-first-send',
      'With 100 ms of one-way latency and no TLS, how long after its SYN can a WebSocket client send its first message?',
      first,
      [slow.rttMs / 2, slow.rttMs, 3 * slow.rttMs],
      ' ms',
      `${first} ms: one round trip (${slow.rttMs} ms) for TCP's handshake, one for the upgrade request and its 101 answer.`,
    ),
    numericQuestion(
      'ch2-tls-round-trips',
      'How many round trips does a full TLS 1.3 handshake add before that first message?',
      addedRoundTrips,
      [0, 2, 3],
      '',
      `${addedRoundTrips}: ClientHello goes out, the server's flight comes back, and the client sends its Finished right before its data (measured: ${slowTls.websocket.firstSendMs} ms instead of ${first} ms).`,
    ),
    numericQuestion(
      'ch2-mqtt-bytes',
      'How many bytes do an MQTT 3.1.1 CONNECT and its CONNACK take together, without TCP/IP headers?',
      slow.mqtt.handshakeBytes,
      [slow.websocket.handshakeBytes, 2, slow.mqtt.handshakeBytes + 104],
      ' bytes',
      `${slow.mqtt.handshakeBytes} bytes, against ${slow.websocket.handshakeBytes} for the WebSocket upgrade request and response. Both fit in one segment each way, so the waiting time is the same.`,
    ),
  ];
}

export function chapter3Checks(): CheckQuestion[] {
  const frame200 = wsFrame(200, false).length;
  const header200 = frame200 - 200;
  const publish = mqttPublish(20, SAMPLE_TOPIC, 1, '3.1.1').length;
  const wsWire = layerBytes(wsFrame(20, true).length, 'tls');
  const share = Math.round((20 / wsWire) * 100);
  const noTls = layerBytes(wsFrame(20, true).length, 'tcpip');
  return [
    numericQuestion(
      'ch3-ws-header',
      'How many header bytes does a server-to-client WebSocket frame carrying 200 bytes have?',
      header200,
      [2, header200 + 4, 10],
      ' bytes',
      `${header200}: two bytes, and two more for the 16-bit length because 200 is more than 125. Servers never mask, so there is no key.`,
    ),
    numericQuestion(
      'ch3-publish',
      `A 20-byte reading on the topic "${SAMPLE_TOPIC}" (${SAMPLE_TOPIC.length} characters), MQTT 3.1.1, QoS 1: how big is the PUBLISH packet?`,
      publish,
      [22, publish - 2, publish + 4],
      ' bytes',
      `${publish}: 2 bytes of fixed header, 2 + ${SAMPLE_TOPIC.length} for the topic, 2 for the packet identifier QoS 1 needs, and the 20-byte payload.`,
    ),
    numericQuestion(
      'ch3-share',
      'A browser sends a 20-byte reading over WebSocket with TLS 1.3. What share of the bytes on the wire is the reading itself?',
      share,
      [Math.round((20 / noTls) * 100), Math.round((20 / wsFrame(20, true).length) * 100), 95],
      '%',
      `${share}%: the ${wsFrame(20, true).length}-byte frame becomes ${wsWire} bytes with a TLS record (22) and the IPv4 and TCP headers (52).`,
    ),
  ];
}

export function chapter1Checks(run: TwoWaysResult): CheckQuestion[] {
  const m = run.mqtt;
  const w = run.websocket;
  return [
    numericQuestion(
      'ch1-fanout',
      'In the MQTT wiring, how many PUBLISH packets does the broker send for each reading the sensor publishes?',
      m.fanoutPerReading,
      [1, m.fanoutPerReading + 1, 2 * m.fanoutPerReading],
      '',
      `${m.fanoutPerReading}: one per subscribed dashboard. The sensor sends one; the copies are the broker's work.`,
    ),
    numericQuestion(
      'ch1-ws-fanout',
      'In the WebSocket wiring, how many frames does the server write for each reading it receives?',
      w.fanoutPerReading,
      [0, 1, w.fanoutPerReading + 1],
      '',
      `${w.fanoutPerReading}: the server's own loop writes the reading to each browser's connection: the same fan-out, done by your code.`,
    ),
  ];
}
