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
    const [first, tls, bytes] = handshake.checks!();
    expect(answerOf(first!)).toBe('400 ms'); // 2 round trips of 200 ms
    expect(answerOf(tls!)).toBe('1');
    expect(answerOf(bytes!)).toBe('33 bytes');
    expect(first!.choices).toHaveLength(4);
  });

  it('chapter 3: answers come from the frame and packet encoders and the wire accounting', () => {
    const [header, publish, share] = overhead.checks!();
    expect(answerOf(header!)).toBe('4 bytes');
    expect(answerOf(publish!)).toBe('40 bytes');
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
    });
  });

  it('chapter 2 figures: same round trips without TLS, Nagle costs MQTT one more with TLS', () => {
    const f = handshake.figures!();
    expect(f.wsFirstSendMs).toBe('200 ms');
    expect(f.mqttFirstSendMs).toBe('200 ms');
    expect(f.wsFirstSendTlsMs).toBe('300 ms');
    expect(f.mqttFirstSendTlsMs).toBe('400 ms');
    expect(f.mqttHandshakeBytes).toBe('33 bytes');
    expect(f.acceptExample).toMatch(/^[A-Za-z0-9+/]{27}= from the key [A-Za-z0-9+/]{22}==$/);
  });
});
