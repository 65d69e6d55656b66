import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePackets, encodePacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { Harness, str, text } from './broker-harness.ts';


/** Splits `bytes` at the given cut points. */
function chunks(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p > prev) out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('random bytes on one connection', () => {
  it('never throw out of the engine, and the other clients keep working', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<0 | 4 | 5>(0, 4, 5),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (connectFirst, garbage, cuts) => {
          const h = new Harness();
          h.connect('s', { clientId: 'sub' });
          h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'ok/#', qos: 1 }] });
          h.take('s');
          h.open('x', connectFirst === 0 ? 4 : connectFirst);
          if (connectFirst !== 0) {
            h.raw('x', encodePacket({ cmd: 'connect', clientId: 'fuzz', clean: true, keepalive: 0, protocolVersion: connectFirst }, connectFirst));
          }
          for (const part of chunks(garbage, cuts)) h.raw('x', part);
          h.lose('x');
          h.connect('p', { clientId: 'pub' });
          h.send('p', { cmd: 'publish', topic: 'ok/1', payload: text('alive'), qos: 1, messageId: 1, dup: false, retain: false });
          const got = h.take('s').packets.filter((p) => p.cmd === 'publish' && p.topic === 'ok/1');
          expect(got).toHaveLength(1);
          expect(str((got[0] as { payload: Uint8Array }).payload)).toBe('alive');
        },
      ),
      { seed: 101, numRuns: 400 },
    );
  }, 30_000);

  it('a valid stream gives the same packets out for any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 10 }), (cuts) => {
        const stream = Buffer.concat([
          encodePacket({ cmd: 'connect', clientId: 'c', clean: true, keepalive: 0, protocolVersion: 4 }, 4),
          encodePacket({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#', qos: 2 }] }, 4),
          encodePacket({ cmd: 'publish', topic: 'a/b', payload: text('x'), qos: 1, messageId: 3, dup: false, retain: true }, 4),
          encodePacket({ cmd: 'pingreq' }, 4),
        ]);
        const h = new Harness();
        h.open('c');
        for (const part of chunks(new Uint8Array(stream), cuts)) h.raw('c', part);
        const forwarded = encodePacket({ cmd: 'publish', topic: 'a/b', payload: text('x'), qos: 1, messageId: 1, dup: false, retain: false }, 4);
        // The broker forwards to the subscriber (here the publisher itself) before acknowledging.
        expect(h.take('c').hex).toEqual(['20020000', '9003000102', Buffer.from(forwarded).toString('hex'), '40020003', 'd000']);
      }),
    );
  });
});

describe('random valid packet sequences from several clients', () => {
  const topic = fc.constantFrom('a', 'a/b', 'a/+', '#', 'a/#', '$SYS/x', '', 'b//c', '+', '$share/g/a/#', '$share/g/+', '$share//a');
  const id = fc.integer({ min: 1, max: 4 });
  const qos = fc.constantFrom<0 | 1 | 2>(0, 1, 2);
  const packet = fc.oneof(
    fc.record({ cmd: fc.constant('publish' as const), topic, qos, messageId: id, retain: fc.boolean(), dup: fc.boolean(),
      payload: fc.constantFrom(text(''), text('p')),
      properties: fc.option(fc.record({ topicAlias: fc.integer({ min: 1, max: 12 }), messageExpiryInterval: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: [] }), { nil: undefined }) }),
    fc.record({ cmd: fc.constant('subscribe' as const), messageId: id,
      subscriptions: fc.array(fc.record({ topic, qos, nl: fc.boolean(), rap: fc.boolean(), rh: fc.integer({ min: 0, max: 2 }) }), { minLength: 1, maxLength: 2 }),
      properties: fc.option(fc.record({ subscriptionIdentifier: fc.integer({ min: 1, max: 3 }) }), { nil: undefined }) }),
    fc.record({ cmd: fc.constant('unsubscribe' as const), messageId: id, unsubscriptions: fc.array(topic, { minLength: 1, maxLength: 2 }) }),
    fc.record({ cmd: fc.constantFrom('puback' as const, 'pubrec' as const, 'pubrel' as const, 'pubcomp' as const), messageId: id }),
    fc.constant({ cmd: 'pingreq' as const }),
    fc.record({ cmd: fc.constant('disconnect' as const), reasonCode: fc.constantFrom(0, 4) }),
  );
  const step = fc.oneof(
    { weight: 6, arbitrary: fc.record({ client: fc.integer({ min: 0, max: 2 }), packet }) },
    { weight: 1, arbitrary: fc.record({ client: fc.integer({ min: 0, max: 2 }), lose: fc.constant(true) }) },
    { weight: 1, arbitrary: fc.record({ advanceS: fc.integer({ min: 1, max: 20 }) }) },
  );

  it('keep the engine consistent: no throw, windows and queues within their bounds', () => {
    fc.assert(
      fc.property(fc.constantFrom<4 | 5>(4, 5), fc.array(step, { maxLength: 40 }), (version, steps) => {
        const h = new Harness({ maxInflightMessages: 2, maxQueuedMessages: 3 });
        const conns = ['', '', ''];
        let n = 0;
        const ensure = (i: number) => {
          if (conns[i] !== '' && h.broker.connectionCount > 0 && !h.take(conns[i]!).closed) return conns[i]!;
          const conn = `c${i}-${++n}`;
          conns[i] = conn;
          h.connect(conn, { clientId: `client${i}`, clean: i === 0, keepalive: 10, properties: version === 5 ? { sessionExpiryInterval: 30 } : undefined,
            will: { topic: 'will', payload: text('w'), qos: 1 } }, version);
          return conn;
        };
        for (const s of steps) {
          if ('advanceS' in s) h.advance(h.now + s.advanceS * 1_000_000);
          else if ('lose' in s) { if (conns[s.client] !== '') { h.lose(conns[s.client]!); conns[s.client] = ''; } }
          else {
            const conn = ensure(s.client);
            let bytes: Uint8Array;
            try {
              bytes = encodePacket(s.packet as never, version);
            } catch {
              continue;
            }
            h.raw(conn, bytes);
          }
          for (const sid of h.broker.sessionIds()) {
            const session = h.broker.session(sid)!;
            expect(session.inflight.size).toBeLessThanOrEqual(2);
            expect(session.queue.length).toBeLessThanOrEqual(3);
          }
        }
      }),
      { seed: 102, numRuns: 300 },
    );
  }, 30_000);
});

describe('MQTT 5 PUBLISH properties are carried through', () => {
  it('whatever the publisher sets, the subscriber gets what the broker read, and nothing throws', () => {
    const props = fc.record(
      {
        payloadFormatIndicator: fc.boolean(),
        messageExpiryInterval: fc.integer({ min: 1, max: 0xffffffff }),
        contentType: fc.string({ maxLength: 20 }),
        responseTopic: fc.string({ minLength: 1, maxLength: 20 }),
        correlationData: fc.uint8Array({ maxLength: 20 }),
        userProperties: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 8 }), { minLength: 2, maxLength: 3 })), { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(props, fc.constantFrom<0 | 1 | 2>(0, 1, 2), (properties, qos) => {
        const h = new Harness();
        h.connect('s', { clientId: 's' }, 5);
        h.send('s', { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 't', qos: 2 }] });
        h.take('s');
        h.connect('p', { clientId: 'p' }, 5);
        let bytes: Uint8Array;
        try {
          bytes = encodePacket({ cmd: 'publish', topic: 't', payload: text('x'), qos, ...(qos > 0 ? { messageId: 1 } : {}), dup: false, retain: false, properties }, 5);
        } catch {
          return; // mqtt-packet itself refuses these properties
        }
        if (bytes.length === 0) return; // ...or silently writes nothing (it does for an empty userProperties)
        h.raw('p', bytes);
        if (qos === 2) h.send('p', { cmd: 'pubrel', messageId: 1 });
        const got = h.take('s').packets.filter((x) => x.cmd === 'publish');
        expect(got).toHaveLength(1);
        const p = got[0] as Extract<typeof got[0], { cmd: 'publish' }>;
        // What the broker read from the publisher (mqtt-packet has its own quirks, e.g. it merges
        // repeated empty user properties) is what it passes on.
        const sent = decodePackets(bytes, 5)[0] as Extract<typeof got[0], { cmd: 'publish' }>;
        expect(p.properties ?? {}).toEqual(sent.properties ?? {});
      }),
      { seed: 103, numRuns: 200 },
    );
  }, 30_000);
});
