import { describe, expect, it } from 'vitest';
import { chapter2Checks, chapter3Checks, numericQuestion } from '../../../src/worker/course/checks.ts';
import { chapter2Figures, chapter3Figures } from '../../../src/worker/course/figures.ts';

const answerOf = (q: { choices: string[]; answer: number }) => q.choices[q.answer];

describe('understanding checks', () => {
  it('keeps the computed answer among distinct, sorted choices', () => {
    const q = numericQuestion('x', 'p', 4, [2, 4, 8, -1, NaN], ' bytes', 'e');
    expect(q.choices).toEqual(['2 bytes', '4 bytes', '8 bytes']);
    expect(answerOf(q)).toBe('4 bytes');
  });

  it('chapter 2: answers come from the handshake runs', () => {
    const [first, tls, bytes] = chapter2Checks();
    expect(answerOf(first!)).toBe('400 ms'); // 2 round trips of 200 ms
    expect(answerOf(tls!)).toBe('1');
    expect(answerOf(bytes!)).toBe('33 bytes');
    expect(first!.choices).toHaveLength(4);
  });

  it('chapter 3: answers come from the frame and packet encoders and the wire accounting', () => {
    const [header, publish, share] = chapter3Checks();
    expect(answerOf(header!)).toBe('4 bytes');
    expect(answerOf(publish!)).toBe('40 bytes');
    expect(answerOf(share!)).toBe('20%'); // 20 of 26 + 22 + 52 = 100 bytes
  });
});

describe('figures in the prose', () => {
  it('chapter 3 figures match the engines at a 20-byte reading', () => {
    expect(chapter3Figures()).toEqual({
      'ch3.mqttPublish20': '38 bytes',
      'ch3.wsUnmasked20': '22 bytes',
      'ch3.wsMasked20': '26 bytes',
      'ch3.mqttWire20': '112 bytes',
      'ch3.wsWire20': '100 bytes',
      'ch3.qos0Wire20': '90 bytes', // 38 + 52
      'ch3.qos2Wire20': '260 bytes', // 40 + 52, then 3 x (4 + 52)
    });
  });

  it('chapter 2 figures: same round trips without TLS, Nagle costs MQTT one more with TLS', () => {
    const f = chapter2Figures();
    expect(f['ch2.wsFirstSendMs']).toBe('200 ms');
    expect(f['ch2.mqttFirstSendMs']).toBe('200 ms');
    expect(f['ch2.wsFirstSendTlsMs']).toBe('300 ms');
    expect(f['ch2.mqttFirstSendTlsMs']).toBe('400 ms');
    expect(f['ch2.mqttHandshakeBytes']).toBe('33 bytes');
    expect(f['ch2.acceptExample']).toMatch(/^[A-Za-z0-9+/]{27}= from the key [A-Za-z0-9+/]{22}==$/);
  });
});
