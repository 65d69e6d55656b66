/** The broker engine's sessions: the Last Will, persistent sessions and resending, QoS 2's packet id state and mosquitto's receive quota. */
import { describe, expect, it } from 'vitest';
import { Harness, str, text } from './broker-harness.ts';

const pub = (topic: string, payload: string, qos: 0 | 1 | 2 = 0, messageId?: number, extra: Record<string, unknown> = {}) =>
  ({ cmd: 'publish', topic, payload: text(payload), qos, retain: false, dup: false, ...(messageId !== undefined ? { messageId } : {}), ...extra }) as const;

describe('Last Will', () => {
  const will = { topic: 'status/dev', payload: text('offline'), qos: 1 as const, retain: false };

  it('is published when the connection is lost, not after DISCONNECT', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'watch' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 1 }] });
    h.take('s');
    h.connect('d1', { clientId: 'dev', will });
    h.send('d1', { cmd: 'disconnect' });
    expect(h.take('d1').closed).toBe(true);
    expect(h.take('s').packets).toEqual([]);
    h.connect('d2', { clientId: 'dev', will });
    h.lose('d2');
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev', qos: 1 }]);
    expect(h.broker.counters.willsPublished).toBe(1);
  });

  it('is published after 1.5 x keepalive of silence [MQTT-3.1.2-24], at the exact bound with keepaliveSweepS 0', () => {
    const h = new Harness({ keepaliveSweepS: 0 });
    h.connect('s', { clientId: 'watch' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    h.connect('d', { clientId: 'dev', will, keepalive: 10 });
    h.now = 4_000_000;
    h.send('d', { cmd: 'pingreq' });
    expect(h.take('d').hex).toEqual(['d000']);
    h.advance(4_000_000 + 14_999_999);
    expect(h.take('d').closed).toBe(false);
    h.advance(4_000_000 + 15_000_000);
    expect(h.take('d').closed).toBe(true);
    expect(h.notes('keepalive-timeout')).toHaveLength(1);
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev', qos: 0 }]);
  });

  /**
   * mosquitto 2.0.21 counts whole seconds: the last packet at 4.3 s is in second 4, due in second
   * 4 + 10 x 3 / 2 = 19, cut off when second 19 is over: at 20 s, 15.7 s after it. Debian's 2.0.11
   * (sweepS 6) checks only at 0, 6, 12, 18, 24 s: the first sweep at or after 20 s is 24 s.
   */
  it.each([
    [1, 20_000_000],
    [6, 24_000_000],
  ])('with keepaliveSweepS %i (mosquitto), is published when the whole second is over: at %i µs', (keepaliveSweepS, at) => {
    const h = new Harness({ keepaliveSweepS });
    h.connect('s', { clientId: 'watch' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    h.connect('d', { clientId: 'dev', will, keepalive: 10 });
    h.now = 4_300_000;
    h.send('d', { cmd: 'pingreq' });
    h.take('d');
    h.advance(at - 1);
    expect(h.take('d').closed).toBe(false);
    expect(h.broker.nextTimer()).toBe(at);
    h.advance(at);
    expect(h.take('d').closed).toBe(true);
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev', qos: 0 }]);
  });

  it('MQTT 5: waits for the will delay, and a reconnect within it cancels the will', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'watch' }, 5);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    const delayed = { ...will, properties: { willDelayInterval: 5 } };
    const props = { sessionExpiryInterval: 60 };
    h.connect('d1', { clientId: 'dev', will: delayed, properties: props }, 5);
    h.lose('d1');
    h.advance(4_999_999);
    expect(h.take('s').packets).toEqual([]);
    h.advance(5_000_000);
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev' }]);
    h.connect('d2', { clientId: 'dev', will: delayed, properties: props, clean: false }, 5);
    h.lose('d2');
    h.advance(7_000_000);
    h.connect('d3', { clientId: 'dev', clean: false, properties: props }, 5);
    h.advance(20_000_000);
    expect(h.take('s').packets).toEqual([]);
    expect(h.notes('will-cancelled')).toHaveLength(1);
  });

  it('is published when the broker closes the connection for a protocol error', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'watch' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    h.connect('d', { clientId: 'dev', will });
    h.raw('d', Uint8Array.from([0x40, 0x00])); // PUBACK without its packet id
    expect(h.take('d').closed).toBe(true);
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', topic: 'status/dev' }]);
  });

  it('MQTT 5 DISCONNECT with reason 0x04 publishes the will', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'watch' }, 5);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'status/#', qos: 0 }] });
    h.take('s');
    h.connect('d', { clientId: 'dev', will }, 5);
    h.send('d', { cmd: 'disconnect', reasonCode: 0x04 });
    expect(h.take('s').packets).toHaveLength(1);
  });
});

describe('persistent sessions', () => {
  function offlineSubscriber(h: Harness, version: 4 | 5 = 4) {
    const props = version === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {};
    h.connect('s1', { clientId: 'sub', clean: false, ...props }, version);
    h.send('s1', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q/#', qos: 2 }] });
    h.take('s1');
    h.send('s1', { cmd: 'disconnect' });
  }

  it('queues QoS 1/2 for an offline client and delivers on resume with session present', () => {
    const h = new Harness();
    offlineSubscriber(h);
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('q/a', 'm1', 1, 1));
    h.send('p', pub('q/a', 'm2', 2, 2));
    h.send('p', { cmd: 'pubrel', messageId: 2 });
    h.send('p', pub('q/a', 'm0', 0));
    expect(h.notes('qos0-dropped-offline')).toHaveLength(1);
    const r = h.connect('s2', { clientId: 'sub', clean: false });
    expect(r.hex[0]).toBe('20020100');
    expect(r.packets.slice(1).map((p) => p.cmd === 'publish' && [str(p.payload), p.qos, p.messageId, p.dup])).toEqual([
      ['m1', 1, 1, false],
      ['m2', 2, 2, false],
    ]);
  });

  it('bounds the queue: what does not fit is dropped, traced and counted', () => {
    const h = new Harness({ maxQueuedMessages: 2 });
    offlineSubscriber(h);
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 3; i++) h.send('p', pub('q/a', `m${i}`, 1, i));
    expect(h.broker.counters.queueDropped).toBe(1);
    expect(h.notes('queue-full')).toMatchObject([{ clientId: 'sub', topic: 'q/a', seq: 3 }]);
    const r = h.connect('s2', { clientId: 'sub', clean: false });
    expect(r.packets.slice(1).map((p) => p.cmd === 'publish' && str(p.payload))).toEqual(['m1', 'm2']);
  });

  it('clean session discards the queue', () => {
    const h = new Harness();
    offlineSubscriber(h);
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('q/a', 'm1', 1, 1));
    const r = h.connect('s2', { clientId: 'sub', clean: true });
    expect(r.hex).toEqual(['20020000']);
    expect(h.broker.counters.discardedWithSession).toBe(1);
    // Each message that dies with the session is reported, with what a flow needs to count it lost.
    expect(h.notes('discarded-with-session')).toMatchObject([{ clientId: 'sub', seq: 1, topic: 'q/a', publisher: 'pub', payload: text('m1') }]);
  });

  it('keeps at most max_inflight_messages unacknowledged, sending more as acks come', () => {
    const h = new Harness({ maxInflightMessages: 2 });
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 4; i++) h.send('p', pub('t', `m${i}`, 1, i));
    expect(h.take('s').packets.map((p) => p.cmd === 'publish' && p.messageId)).toEqual([1, 2]);
    h.send('s', { cmd: 'puback', messageId: 1 });
    expect(h.take('s').packets.map((p) => p.cmd === 'publish' && p.messageId)).toEqual([3]);
  });

  it('0 means no maximum for both limits, as in mosquitto.conf (and no Receive Maximum is announced)', () => {
    const h = new Harness({ maxInflightMessages: 0, maxQueuedMessages: 0 });
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 30; i++) h.send('p', pub('t', `m${i}`, 1, i));
    expect(h.take('s').packets.map((p) => p.cmd === 'publish' && p.messageId)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(h.connect('v5', { clientId: 'v5', keepalive: 30 }, 5).hex).toEqual(['200600000322000a']);
    const q = new Harness({ maxQueuedMessages: 0 });
    offlineSubscriber(q);
    q.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 1500; i++) q.send('p', pub('q/a', `m${i}`, 1, (i % 65535) + 1));
    expect(q.broker.counters.queueDropped).toBe(0);
  });

  it('refuses a negative or fractional limit with an error naming it', () => {
    expect(() => new Harness({ maxInflightMessages: -1 })).toThrow('maxInflightMessages must be an integer from 0 to 65535, got -1');
    expect(() => new Harness({ maxQueuedMessages: 2.5 })).toThrow('maxQueuedMessages must be an integer from 0, got 2.5');
  });

  it('MQTT 5 Receive Maximum narrows the window', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub', properties: { receiveMaximum: 1 } }, 5);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 3; i++) h.send('p', pub('t', `m${i}`, 1, i));
    expect(h.take('s').packets).toHaveLength(1);
  });

  it('resends unacknowledged PUBLISH with DUP=1 and PUBREL on resume, never on a timer [MQTT-4.4.0-1]', () => {
    const h = new Harness();
    h.connect('s1', { clientId: 'sub', clean: false });
    h.send('s1', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 2 }] });
    h.take('s1');
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('t', 'one', 1, 1));
    h.send('p', pub('t', 'two', 2, 2));
    h.send('p', { cmd: 'pubrel', messageId: 2 });
    expect(h.take('s1').packets.map((p) => p.cmd === 'publish' && p.messageId)).toEqual([1, 2]);
    h.send('s1', { cmd: 'pubrec', messageId: 2 });
    expect(h.take('s1').hex).toEqual(['62020002']);
    h.advance(3_600_000_000);
    expect(h.take('s1').packets).toEqual([]);
    h.lose('s1');
    const r = h.connect('s2', { clientId: 'sub', clean: false });
    expect(r.packets.map((p) => [p.cmd, (p as { messageId?: number }).messageId, (p as { dup?: boolean }).dup])).toEqual([
      ['connack', undefined, undefined],
      ['publish', 1, true],
      ['pubrel', 2, undefined],
    ]);
    h.send('s2', { cmd: 'puback', messageId: 1 });
    h.send('s2', { cmd: 'pubcomp', messageId: 2 });
    expect(h.broker.session('sub')!.inflight.size).toBe(0);
  });

  it('session takeover closes the old connection (MQTT 5: DISCONNECT 0x8E) and keeps the session', () => {
    const h = new Harness();
    const props = { properties: { sessionExpiryInterval: 100 } };
    h.connect('a', { clientId: 'dup', ...props }, 5);
    h.send('a', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 1 }] });
    h.take('a');
    const r = h.connect('b', { clientId: 'dup', clean: false, ...props }, 5);
    expect(h.take('a')).toMatchObject({ packets: [{ cmd: 'disconnect', reasonCode: 0x8e }], closed: true });
    expect(r.packets).toMatchObject([{ cmd: 'connack', sessionPresent: true }]);
    expect(h.broker.counters.sessionTakeovers).toBe(1);
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('t', 'x', 1, 1));
    expect(h.take('b').packets).toHaveLength(1);
    expect(h.take('a').packets).toHaveLength(0);
  });

  it('MQTT 5 session expiry ends an offline session', () => {
    const h = new Harness();
    offlineSubscriber(h, 5);
    h.advance(3_599_999_999);
    expect(h.broker.sessionIds()).toEqual(['sub']);
    h.advance(3_600_000_000);
    expect(h.broker.sessionIds()).toEqual([]);
    expect(h.notes('session-expired')).toHaveLength(1);
  });
});

describe('QoS 2 exactly once through the packet id state (section 4.3.3)', () => {
  it('method B (on-publish): forwards at once, never a repeated PUBLISH with the same id before PUBREL', () => {
    const h = new Harness({ qos2Forwarding: 'on-publish' });
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 2 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('t', 'once', 2, 5));
    h.send('p', pub('t', 'once', 2, 5, { dup: true }));
    expect(h.take('p').hex).toEqual(['50020005', '50020005']);
    expect(h.take('s').packets).toHaveLength(1);
    expect(h.broker.counters.qos2DuplicatesIgnored).toBe(1);
    h.send('p', { cmd: 'pubrel', messageId: 5 });
    expect(h.take('p').hex).toEqual(['70020005']);
    // After PUBREL the id is free: a new message with id 5 is a new message.
    h.send('p', pub('t', 'again', 2, 5));
    expect(h.take('s').packets).toHaveLength(1);
  });

  it('method A (on-pubrel, the default, as mosquitto) forwards only after PUBREL', () => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' });
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 2 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' });
    h.send('p', pub('t', 'once', 2, 5));
    h.send('p', pub('t', 'once', 2, 5, { dup: true }));
    expect(h.take('s').packets).toHaveLength(0);
    h.send('p', { cmd: 'pubrel', messageId: 5 });
    expect(h.take('s').packets).toMatchObject([{ cmd: 'publish', qos: 2 }]);
    expect(h.take('p').hex).toEqual(['50020005', '50020005', '70020005']);
  });
});

describe("mosquitto's receive quota: QoS 2 publishes beyond 20 awaiting PUBREL (issue 14)", () => {
  const run = (version: 4 | 5) => {
    const h = new Harness();
    h.connect('s', { clientId: 'sub' }, version);
    h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q', qos: 0 }] });
    h.take('s');
    h.connect('p', { clientId: 'pub' }, version);
    for (let i = 1; i <= 25; i++) h.send('p', pub('q', String(i), 2, i));
    const recs = h.take('p').packets.map((p) => `${p.cmd} ${(p as { messageId: number }).messageId} ${(p as { reasonCode?: number }).reasonCode ?? 0}`);
    for (let i = 1; i <= 25; i++) h.send('p', { cmd: 'pubrel', messageId: i });
    const comps = h.take('p').packets.filter((p) => p.cmd === 'pubcomp').length;
    const got = h.take('s').packets.map((p) => str((p as { payload: Uint8Array }).payload));
    const drops = h.events.filter((e) => e.type === 'broker' && e.event === 'receive-quota-exceeded').map((e) => (e as { clientId: string; payload: Uint8Array }).clientId + ':' + str((e as { payload: Uint8Array }).payload));
    return { recs, comps, got, drops };
  };
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

  it('MQTT 3.1.1: 21-25 get a plain PUBREC and a PUBCOMP, and are lost for the subscriber (named drops)', () => {
    const r = run(4);
    expect(r.recs).toEqual(upTo(25).map((i) => `pubrec ${i} 0`)); // no reason code exists in 3.1.1
    expect(r.comps).toBe(25); // the publisher's flows all complete
    expect(r.got).toEqual(upTo(20));
    expect(r.drops).toEqual(['sub:21', 'sub:22', 'sub:23', 'sub:24', 'sub:25']);
  });

  it('MQTT 5: 21, 23 and 25 are refused with 0x97; each refusal gives a quota back, so 22 and 24 pass', () => {
    const r = run(5);
    expect(r.recs.slice(20)).toEqual(['pubrec 21 151', 'pubrec 22 0', 'pubrec 23 151', 'pubrec 24 0', 'pubrec 25 151']);
    expect(r.got).toEqual([...upTo(20), '22', '24']);
    expect(r.drops).toEqual(['sub:21', 'sub:23', 'sub:25']);
  });

  it('PUBCOMPs give the quota back: after releasing all, 20 more are taken', () => {
    const h = new Harness();
    h.connect('p', { clientId: 'pub' });
    for (let i = 1; i <= 20; i++) h.send('p', pub('q', 'x', 2, i));
    for (let i = 1; i <= 20; i++) h.send('p', { cmd: 'pubrel', messageId: i });
    for (let i = 21; i <= 41; i++) h.send('p', pub('q', 'x', 2, i));
    h.take('p');
    expect(h.broker.session('pub')!.incomingQos2.size).toBe(20); // 21-40 stored, 41 refused
    expect(h.broker.session('pub')!.incomingQos2.has(41)).toBe(false);
  });
});
