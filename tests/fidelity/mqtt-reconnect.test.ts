/**
 * The mqtt-client role reconnects as mqtt.js 5 does (src/lib/client.ts `_setupReconnect`: a
 * `setInterval` of `reconnectPeriod`, 1000 ms by default, cleared by each attempt's `connect()`):
 * every attempt starts one period after the previous one ended, however many failed before. No
 * backoff, no jitter. (It used to double from 1 s up to 30 s, which mqtt.js never does.)
 */
import { expect, it } from 'vitest';
import { runMqtt } from '../scenarios-mqtt/helpers.ts';

/** A client the broker keeps refusing (wrong password), for `durationS`: when it sent each SYN and got each refusal, µs. */
function refusedAttempts(durationS: number, mqtt: Record<string, unknown> = {}) {
  const run = runMqtt(
    [{ id: 'dev', role: 'mqtt-client', mqtt: { username: 'u', password: 'wrong', ...mqtt } }],
    durationS,
    {},
    { broker: { access: { users: { u: 'right' }, allowAnonymous: false } } },
  );
  const syns = run.of('tcp-state').filter((r) => r.node === 'dev' && r.to === 'SYN_SENT').map((r) => r.t);
  const refused = run.of('mqtt-event').filter((r) => r.node === 'dev' && r.event === 'disconnected:connect-refused').map((r) => r.t);
  return { syns, refused };
}

it('retries a refused client every reconnectPeriod (1 s after each refusal), never backing off', () => {
  const { syns, refused } = refusedAttempts(10);
  // Client and broker are two 25 ms links apart (50 ms one way) at 10 Mbit/s. SYN at 0, SYN-ACK
  // back at 100.192 ms (two 60-byte packets, 48 µs each on the wire twice), the CONNECT leaves at
  // once, the CONNACK with return code 4 (bad user name or password) arrives at 200.492 ms and the
  // broker closes. The next SYN is exactly 1,000 ms after the refusal: one attempt every
  // 1,200.492 ms, the ninth at 9.604 s (refused at 9.804 s).
  const step = 1_200_492;
  expect(syns).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => k * step));
  expect(refused).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => k * step + 200_492));
  expect(refused.slice(0, 8).map((t, k) => syns[k + 1]! - t)).toEqual(Array(8).fill(1_000_000));
});

it('takes another period when asked (mqtt.reconnect.periodMs)', () => {
  // The same, 4 s after each refusal: 0, 4.200492 s, 8.400984 s.
  expect(refusedAttempts(10, { reconnect: { periodMs: 4000 } }).syns).toEqual([0, 4_200_492, 8_400_984]);
});
