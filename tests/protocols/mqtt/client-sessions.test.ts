/** The client engine's sessions and resending on reconnect, and its keepalive (mqtt.js's timer); the rest is in ./client.test.ts. */
import { describe, expect, it } from 'vitest';
import type { MqttPacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { MqttClient } from '../../../simulator/protocols/mqtt/client.ts';
import { S, te, h, drain, connected } from './client-harness.ts';

describe('sessions and resending', () => {
  it('never re-sends on a timer in a live connection ([MQTT-4.4.0-1]): only keepalive wakes it', () => {
    const c = connected({ keepaliveS: 10 });
    c.publish('t', new Uint8Array(1), { qos: 1 }, 1 * S);
    drain(c);
    // The keepalive, nothing else: 10 s after CONNACK (at 0), as mqtt.js's timer counts from there.
    expect(c.nextTimer()).toBe(10 * S);
  });

  it('re-sends unacknowledged PUBLISH (DUP=0, as mqtt.js) and PUBREL, in order, when the session is resumed', () => {
    const c = connected({ clean: false });
    c.publish('t', new Uint8Array([1]), { qos: 1 }, 0);
    c.publish('t', new Uint8Array([2]), { qos: 2 }, 0);
    c.publish('t', new Uint8Array([3]), { qos: 2 }, 0);
    drain(c);
    c.receiveData(new Uint8Array([0x50, 0x02, 0x00, 0x02]), 5); // PUBREC for id 2
    drain(c);
    c.connectionLost(10);
    expect(drain(c).events).toEqual([{ type: 'disconnected', reason: 'connection-lost' }]);
    c.connect(2 * S);
    expect(drain(c).out).toBe(h('10 0d 0004 4d515454 04 00 0000 0001 63'));
    c.receiveData(new Uint8Array([0x20, 0x02, 0x01, 0x00]), 2 * S + 10);
    const d = drain(c);
    expect(d.events).toEqual([{ type: 'connected', sessionPresent: true, reasonCode: 0 }]);
    // One at a time, as mqtt.js flushes its store: each after the previous one's flow ended.
    // PUBLISH id 1 again, first byte 0x32: QoS 1 and DUP=0, as mqtt.js writes it (0x3a with DUP).
    expect(d.out).toBe(h('32 06 0001 74 0001 01'));
    c.receiveData(new Uint8Array([0x40, 0x02, 0x00, 0x01]), 2 * S + 20); // PUBACK 1
    expect(drain(c).out).toBe(h('62 02 0002')); // PUBREL id 2
    c.receiveData(new Uint8Array([0x70, 0x02, 0x00, 0x02]), 2 * S + 30); // PUBCOMP 2
    expect(drain(c).out).toBe(h('34 06 0001 74 0003 03')); // PUBLISH id 3 again: QoS 2, DUP=0
    expect(c.counters.resentOnReconnect).toBe(3);
  });

  it("resendDup 'spec' sets DUP=1 on the re-sent PUBLISHes ([MQTT-3.3.1-1])", () => {
    const c = connected({ clean: false, resendDup: 'spec' });
    c.publish('t', new Uint8Array([1]), { qos: 1 }, 0);
    drain(c);
    c.connectionLost(10);
    c.connect(2 * S);
    drain(c);
    c.receiveData(new Uint8Array([0x20, 0x02, 0x01, 0x00]), 2 * S + 10);
    // 0x3a = PUBLISH (3 << 4) | DUP (8) | QoS 1 (2).
    expect(drain(c).out).toBe(h('3a 06 0001 74 0001 01'));
  });

  it("resendPacing 'all-at-once' re-sends them together", () => {
    const c = connected({ clean: false, resendPacing: 'all-at-once' });
    c.publish('t', new Uint8Array([1]), { qos: 1 }, 0);
    c.publish('t', new Uint8Array([2]), { qos: 2 }, 0);
    c.publish('t', new Uint8Array([3]), { qos: 2 }, 0);
    c.receiveData(new Uint8Array([0x50, 0x02, 0x00, 0x02]), 5); // PUBREC for id 2
    drain(c);
    c.connectionLost(10);
    c.connect(2 * S);
    c.receiveData(new Uint8Array([0x20, 0x02, 0x01, 0x00]), 2 * S + 10);
    expect(drain(c).out).toBe(h('10 0d 0004 4d515454 04 00 0000 0001 63 | 32 06 0001 74 0001 01 | 62 02 0002 | 34 06 0001 74 0003 03'));
  });

  it('after a reconnect, messages published offline go one per acknowledgement; QoS 0 and new ones wait for the store (mqtt.js)', () => {
    const c = new MqttClient({ clientId: 'c', keepaliveS: 0 });
    c.publish('t', te.encode('a'), { qos: 1 }, 0);
    c.publish('t', te.encode('b'), { qos: 0 }, 0);
    c.publish('t', te.encode('c'), { qos: 1 }, 0);
    c.connect(1 * S);
    drain(c);
    c.receiveData(new Uint8Array([0x20, 0x02, 0x00, 0x00]), 1 * S + 10);
    expect(drain(c).out).toBe(h('32 06 0001 74 0001 61')); // only "a"
    c.publish('t', te.encode('d'), { qos: 1 }, 1 * S + 15); // waits behind the store
    expect(drain(c).out).toBe('');
    c.receiveData(new Uint8Array([0x40, 0x02, 0x00, 0x01]), 1 * S + 20); // PUBACK 1
    expect(drain(c).out).toBe(h('32 06 | 0001 74 | 0002 | 63')); // then "c", the rest of the store
    c.receiveData(new Uint8Array([0x40, 0x02, 0x00, 0x02]), 1 * S + 30); // PUBACK 2: the store is empty
    expect(drain(c).out).toBe(h('30 04 | 0001 74 | 62 (QoS 0 "b") | 32 06 | 0001 74 | 0003 | 64 ("d")'.replace(/\([^)]*\)/g, '')));
  });

  it('drops in-flight messages and resubscribes when the session was not kept', () => {
    const c = connected({ clean: false, maxInflight: 1 });
    c.subscribe([{ topic: 'cmd/#', qos: 1 }], 0);
    c.receiveData(new Uint8Array([0x90, 0x03, 0x00, 0x01, 0x01]), 1);
    const token = c.publish('t', new Uint8Array([1]), { qos: 1 }, 2);
    const queuedToken = c.publish('t', new Uint8Array([2]), { qos: 1 }, 3);
    drain(c);
    c.connectionLost(10);
    const later = c.publish('t', new Uint8Array([3]), { qos: 1 }, 20);
    expect(later).toBe(queuedToken + 1);
    c.connect(100);
    drain(c);
    c.receiveData(new Uint8Array([0x20, 0x02, 0x00, 0x00]), 110); // session not present
    const d = drain(c);
    expect(d.events).toEqual([
      { type: 'dropped', token, qos: 1, reason: 'session-discarded' },
      { type: 'connected', sessionPresent: false, reasonCode: 0 },
    ]);
    // Resubscribe, then the first message that was still queued, as a new one (window of 1).
    expect(d.out).toBe(h('82 0a 0003 0005 636d642f23 01 | 32 06 0001 74 0004 02'));
    expect(c.queued).toBe(1);
  });

  it('clean session discards what was in flight at connect time', () => {
    const c = connected({ clean: true });
    const token = c.publish('t', new Uint8Array([1]), { qos: 1 }, 0);
    drain(c);
    c.connectionLost(10);
    drain(c);
    c.connect(20);
    expect(drain(c).events).toEqual([{ type: 'dropped', token, qos: 1, reason: 'session-discarded' }]);
  });

  it('NON-STANDARD timer mode re-sends with DUP=1 on a live connection', () => {
    const c = connected({ nonStandardResendMs: 500 });
    c.publish('t', new Uint8Array([1]), { qos: 1 }, 0);
    drain(c);
    expect(c.nextTimer()).toBe(500_000);
    c.handleTimer(500_000);
    expect(drain(c).out).toBe(h('3a 06 0001 74 0001 01'));
    expect(c.counters.resentOnTimer).toBe(1);
  });
});

describe('keepalive', () => {
  it('sends PINGREQ after keepalive idle and declares the connection dead keepalive/2 later', () => {
    const c = connected({ keepaliveS: 10 });
    expect(c.nextTimer()).toBe(10 * S); // CONNECT went out at 0
    c.handleTimer(10 * S);
    expect(drain(c).out).toBe('c000');
    expect(c.nextTimer()).toBe(15 * S);
    c.handleTimer(15 * S);
    expect(drain(c).events).toEqual([{ type: 'disconnected', reason: 'keepalive-timeout' }, { type: 'close' }]);
    expect(c.state).toBe('offline');
  });

  it("'idle' rule: PINGRESP keeps it alive; sending resets the idle clock", () => {
    const c = connected({ keepaliveS: 10, pingTimeoutS: 2, keepaliveRule: 'idle' });
    c.publish('t', new Uint8Array(1), { qos: 0 }, 4 * S);
    drain(c);
    expect(c.nextTimer()).toBe(14 * S);
    c.handleTimer(14 * S);
    expect(drain(c).out).toBe('c000');
    expect(c.nextTimer()).toBe(16 * S);
    c.receiveData(new Uint8Array([0xd0, 0x00]), 14 * S + 50_000);
    expect(drain(c).events).toEqual([]);
    expect(c.nextTimer()).toBe(24 * S);
  });

  it("'mqtt.js' rule (the default): sending does not restart the timer, PUBACK and PINGRESP do, PUBLISH does not", () => {
    // mqtt.js 5 (handlers/index.ts): reschedulePing() on PUBACK, PUBREC, PUBCOMP, PUBREL, SUBACK,
    // UNSUBACK, AUTH, PINGRESP; the timer starts at CONNACK (here at 0).
    const c = connected({ keepaliveS: 10 });
    c.publish('t', new Uint8Array(1), { qos: 0 }, 4 * S); // a QoS 0 publish: no acknowledgement
    drain(c);
    expect(c.nextTimer()).toBe(10 * S); // not 14 s: sending does not count
    c.handleTimer(10 * S);
    expect(drain(c).out).toBe('c000'); // PINGREQ
    expect(c.nextTimer()).toBe(15 * S); // given up half a keepalive later without a restart
    c.receiveData(new Uint8Array([0x30, 0x04, 0x00, 0x01, 0x74, 0x78]), 11 * S); // a PUBLISH: no restart
    expect(c.nextTimer()).toBe(15 * S);
    c.receiveData(new Uint8Array([0xd0, 0x00]), 12 * S); // PINGRESP: restart
    expect(c.nextTimer()).toBe(22 * S);
    c.publish('t', new Uint8Array(1), { qos: 1 }, 13 * S);
    c.receiveData(new Uint8Array([0x40, 0x02, 0x00, 0x01]), 14 * S); // PUBACK: restart
    expect(c.nextTimer()).toBe(24 * S);
    c.handleTimer(24 * S);
    expect(drain(c).out).toContain('c000');
    c.handleTimer(29 * S); // no restart by 24 + 5 s: the connection is declared dead
    expect(drain(c).events.map((e) => e.type === 'disconnected' && e.reason)).toContain('keepalive-timeout');
  });

  it('uses the MQTT 5 Server Keep Alive ([MQTT-3.2.2-22])', () => {
    const c = connected({ version: 5, keepaliveS: 60 }, { properties: { serverKeepAlive: 5 } } as Partial<MqttPacket>);
    expect(c.nextTimer()).toBe(5 * S);
  });
});
