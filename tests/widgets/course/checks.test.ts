import { describe, expect, it } from 'vitest';
import { numericQuestion } from '../../../src/worker/course/checks.ts';
import { handshake } from '../../../src/worker/course/handshake.ts';
import { overhead } from '../../../src/worker/course/overhead.ts';

const answerOf = (q: { choices: string[]; answer: number }) => q.choices[q.answer];

describe('understanding checks', () => {
  it('keeps the computed answer among distinct, sorted choices', () => {
    const q = numericQuestion('x', 'p', 4, [2, 4, 8, -1, NaN], ' bytes', 'e');
    expect(q.choices).toEqual(['2 bytes', '4 bytes', '8 bytes']);
    expect(answerOf(q)).toBe('4 bytes');
  });

  it('chapter 2: answers come from the handshake runs', () => {
    const [first, tls, bytes, slow] = handshake.checks!();
    expect(answerOf(first!)).toBe('400 ms'); // 2 round trips of 200 ms
    expect(answerOf(tls!)).toBe('1');
    expect(answerOf(bytes!)).toBe('33 bytes');
    // At 9.6 kbit/s and 50 ms: WebSocket's first message arrives at 960 ms, MQTT's at 669.2 ms
    // (tests/widgets/course/handshake.test.ts derives both).
    expect(answerOf(slow!)).toBe('291 ms');
    expect(first!.choices).toHaveLength(4);
  });

  it('chapter 3: answers come from the frame and packet encoders and the wire accounting', () => {
    const [header, publish, alias, share] = overhead.checks!();
    expect(answerOf(header!)).toBe('4 bytes');
    expect(answerOf(publish!)).toBe('40 bytes');
    expect(answerOf(alias!)).toBe('28 bytes');
    expect(alias!.choices).toEqual(['26 bytes', '28 bytes', '39 bytes', '42 bytes']);
    expect(alias!.slips![3]).toContain('first PUBLISH');
    expect(answerOf(share!)).toBe('20%'); // 20 of 26 + 22 + 52 = 100 bytes
  });
});

describe('figures in the prose', () => {
  it('chapter 3 figures match the engines at a 20-byte reading', () => {
    expect(overhead.figures!()).toEqual({
      mqttPublish20: '38 bytes',
      wsUnmasked20: '22 bytes',
      wsMasked20: '26 bytes',
      mqttWire20: '112 bytes',
      wsWire20: '100 bytes',
      qos0Wire20: '90 bytes', // 38 + 52
      qos2Wire20: '260 bytes', // 40 + 52, then 3 x (4 + 52)
      pureAckBytes: '52 bytes', // IPv4 20 + TCP 20 + timestamps 12, no payload
      qos0WithAck20: '142 bytes', // 90 + 52
      mqtt5Publish20: '39 bytes', // 38 + 1 byte of (empty) property length
      mqtt5AliasFirst20: '42 bytes', // + Topic Alias property: 1 byte id, 2 bytes value
      mqtt5AliasLater20: '28 bytes', // 42 - 14 characters of topic
      jsonReadingBytes: '42 bytes', // {"sensor":"sensors/temp/1","celsius":21.0}
      deflateFirst: '39 bytes', // nothing to refer back to yet
      deflateLater: '6 bytes', // the tenth: mostly a back-reference to the ones before
      deflateLaterFrame: '12 bytes', // 2 + 4 (mask) + 6
      plainJsonFrame: '48 bytes', // 2 + 4 + 42
      wsDeflateThreshold: '1,024 bytes', // ws's default threshold
    });
  });

  it('chapter 2 figures: same round trips without TLS; with TLS mosquitto\'s Nagle holds the CONNACK behind the second ticket', () => {
    const f = handshake.figures!();
    expect(f.wsFirstSendMs).toBe('200 ms');
    expect(f.mqttFirstSendMs).toBe('200 ms');
    expect(f.wsFirstSendTlsMs).toBe('300 ms');
    // one round trip (100 ms) and the client's 40 ms delayed ACK later than with TCP_NODELAY
    expect(f.mqttFirstSendTlsMs).toBe('440 ms');
    expect(f.mqttFirstSendTlsNoDelayMs).toBe('300 ms');
    expect(f.tlsHoldMs).toBe('140 ms');
    expect(f.connack5Bytes).toBe('11 bytes');
    expect(f.upgradeRequestSlowMs).toBe('264.2 ms');
    expect(f.mqttHandshakeBytes).toBe('33 bytes');
    expect(f.acceptExample).toMatch(/^[A-Za-z0-9+/]{27}= from the key [A-Za-z0-9+/]{22}==$/);
  });
});
