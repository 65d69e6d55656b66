import { describe, expect, it } from 'vitest';
import { AccessControl } from '../../../simulator/protocols/mqtt/acl.ts';
import type { BrokerMessage } from '../../../simulator/protocols/mqtt/broker-types.ts';
import { RetainedStore } from '../../../simulator/protocols/mqtt/retained.ts';
import { Session } from '../../../simulator/protocols/mqtt/session.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
function msg(topic: string, payload: string, extra: Partial<BrokerMessage> = {}): BrokerMessage {
  return { seq: 1, topic, payload: bytes(payload), qos: 1, retain: true, properties: {}, receivedAt: 0, ...extra };
}

describe('RetainedStore', () => {
  it('sets, replaces and clears with an empty payload', () => {
    const store = new RetainedStore();
    expect(store.apply(msg('a/b', 'one'))).toBe('set');
    expect(store.apply(msg('a/b', 'two'))).toBe('replaced');
    expect(new TextDecoder().decode(store.get('a/b')!.payload)).toBe('two');
    expect(store.apply(msg('a/c', 'three'))).toBe('set');
    expect(store.matching('a/+', 0).map((m) => m.topic)).toEqual(['a/b', 'a/c']);
    expect(store.apply(msg('a/b', ''))).toBe('cleared');
    expect(store.apply(msg('a/b', ''))).toBe('nothing-to-clear');
    expect(store.matching('#', 0).map((m) => m.topic)).toEqual(['a/c']);
    expect(store.size).toBe(1);
  });
  it('forgets expired messages (MQTT 5 message expiry)', () => {
    const store = new RetainedStore();
    store.apply(msg('x', 'v', { expiresAt: 5_000_000 }));
    expect(store.matching('x', 4_999_999)).toHaveLength(1);
    expect(store.matching('x', 5_000_000)).toHaveLength(0);
    expect(store.size).toBe(0);
  });
});

describe('AccessControl', () => {
  const acl = new AccessControl({
    users: { alice: 'secret', bob: 'hunter2' },
    rules: [
      { username: 'alice', publish: ['sensors/alice/#'], subscribe: ['sensors/#'] },
      { clientId: 'dash', subscribe: ['sensors/+/temp'] },
    ],
  });
  it('checks user name and password', () => {
    expect(acl.checkConnect('alice', bytes('secret'))).toBe('accepted');
    expect(acl.checkConnect('alice', 'secret')).toBe('accepted');
    expect(acl.checkConnect('alice', bytes('wrong'))).toBe('bad-username-or-password');
    expect(acl.checkConnect('mallory', bytes('x'))).toBe('bad-username-or-password');
    expect(acl.checkConnect(undefined, undefined)).toBe('not-authorized');
    expect(new AccessControl({}).checkConnect(undefined, undefined)).toBe('accepted');
    expect(new AccessControl({ users: { a: 'b' }, allowAnonymous: true }).checkConnect(undefined, undefined)).toBe('accepted');
  });
  it('allows publish and subscribe per client', () => {
    const alice = { clientId: 'c1', username: 'alice' };
    expect(acl.canPublish(alice, 'sensors/alice/temp')).toBe(true);
    expect(acl.canPublish(alice, 'sensors/bob/temp')).toBe(false);
    expect(acl.canSubscribe(alice, 'sensors/+/temp')).toBe(true);
    expect(acl.canSubscribe(alice, '#')).toBe(false);
    const dash = { clientId: 'dash' };
    expect(acl.canSubscribe(dash, 'sensors/kitchen/temp')).toBe(true);
    expect(acl.canSubscribe(dash, 'sensors/#')).toBe(false);
    expect(acl.canPublish(dash, 'sensors/kitchen/temp')).toBe(false);
    expect(acl.canPublish({ clientId: 'nobody' }, 'x')).toBe(false);
    expect(new AccessControl({}).canPublish({ clientId: 'nobody' }, 'x')).toBe(true);
  });
});

describe('Session packet ids', () => {
  it('allocates ids not in flight, wrapping 65535 -> 1', () => {
    const s = new Session('c', 0);
    expect(s.allocatePacketId()).toBe(1);
    const d = { message: msg('t', 'p'), qos: 1 as const, retain: false, subscriptionIds: [], state: 'publish-sent' as const };
    s.setInflight({ ...d, packetId: 2 });
    expect(s.allocatePacketId()).toBe(3);
    for (let i = 4; i <= 65535; i++) s.allocatePacketId();
    expect(s.allocatePacketId()).toBe(1);
    expect(s.allocatePacketId()).toBe(3); // 2 is still in flight
  });
});

describe('SubscriptionIndex', () => {
  it('agrees with matching every filter one by one', async () => {
    const fc = (await import('fast-check')).default;
    const { SubscriptionIndex, matchByScan } = await import('../../../simulator/protocols/mqtt/broker-index.ts');
    const level = fc.constantFrom('a', 'b', '', '$SYS', 'x');
    const topicName = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join('/'));
    const filter = fc
      .tuple(fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([l, hash]) => (hash ? [...l, '#'] : l).join('/'));
    const op = fc.record({ add: fc.boolean(), client: fc.constantFrom('c1', 'c2', 'c3'), filter: fc.oneof(filter, fc.constant('#')) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.array(topicName, { minLength: 1, maxLength: 5 }), (ops, topics) => {
        const index = new SubscriptionIndex();
        const subs = new Set<string>(); // `${client}\n${filter}`, a session holds a filter once
        for (const o of ops) {
          const key = `${o.client}\n${o.filter}`;
          if (o.add && !subs.has(key)) {
            subs.add(key);
            index.add(o.client, o.filter);
          } else if (!o.add && subs.has(key)) {
            subs.delete(key);
            index.remove(o.client, o.filter);
          }
        }
        const list = [...subs].map((k) => k.split('\n') as [string, string]);
        for (const t of topics) expect([...index.match(t)].sort()).toEqual([...matchByScan(list, t)].sort());
      }),
      { numRuns: 500 },
    );
  });
});
