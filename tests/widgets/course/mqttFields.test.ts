import { describe, expect, it } from 'vitest';
import { encodePacket } from '../../../simulator/protocols/mqtt/codec.ts';
import { describeMqtt } from '../../../src/worker/course/mqttFields.ts';

const names = (f: { name: string; start: number; end: number }[]) => f.map((x) => [x.name, x.start, x.end]);

describe('describeMqtt', () => {
  it('labels a 3.1.1 QoS 1 PUBLISH field by field', () => {
    const bytes = encodePacket({ cmd: 'publish', qos: 1, dup: false, retain: false, topic: 'a/b', messageId: 7, payload: new Uint8Array([1, 2, 3]) }, '3.1.1');
    const fields = describeMqtt(bytes, '3.1.1');
    expect(names(fields)).toEqual([
      ['Packet type and flags', 0, 1],
      ['Remaining Length', 1, 2],
      ['Topic name length', 2, 4],
      ['Topic name', 4, 7],
      ['Packet identifier', 7, 9],
      ['Payload', 9, 12],
    ]);
    expect(fields[0]!.bits!.map((b) => [b.name, b.value])).toEqual([
      ['Packet type', '3: PUBLISH'], ['DUP', '0: first attempt'], ['QoS', '1'], ['RETAIN', '0: not retained'],
    ]);
    expect(fields[3]!.value).toBe('"a/b"');
  });

  it('labels an MQTT 5 CONNECT with its flags bit by bit and the empty property length', () => {
    const bytes = encodePacket({ cmd: 'connect', clientId: 'c1', keepalive: 60, clean: true, protocolId: 'MQTT' }, '5');
    const fields = describeMqtt(bytes, '5');
    expect(fields.map((f) => f.name)).toEqual([
      'Packet type and flags', 'Remaining Length', 'Protocol name length', 'Protocol name', 'Protocol level',
      'Connect flags', 'Keep alive', 'Property length', 'Client identifier length', 'Client identifier',
    ]);
    expect(fields.at(-1)!.end).toBe(bytes.length);
    const flags = fields.find((f) => f.name === 'Connect flags')!;
    expect(flags.bits!.find((b) => b.name === 'Clean start')!.value).toBe('1: start without a stored session');
    expect(fields.find((f) => f.name === 'Protocol level')!.value).toBe('5: MQTT 5');
    expect(fields.find((f) => f.name === 'Keep alive')!.value).toBe('60 seconds');
  });

  it('labels CONNACK in both versions and a 2-byte-body PUBACK', () => {
    const c3 = describeMqtt(encodePacket({ cmd: 'connack', sessionPresent: false, returnCode: 0 }, '3.1.1'), '3.1.1');
    expect(c3.map((f) => f.name)).toEqual(['Packet type and flags', 'Remaining Length', 'Acknowledge flags', 'Return code']);
    const c5 = describeMqtt(encodePacket({ cmd: 'connack', sessionPresent: false, returnCode: 0 }, '5'), '5');
    expect(c5.map((f) => f.name)).toEqual(['Packet type and flags', 'Remaining Length', 'Acknowledge flags', 'Reason code', 'Property length']);
    const ack = describeMqtt(encodePacket({ cmd: 'puback', messageId: 1 }, '5'), '5');
    expect(names(ack)).toEqual([['Packet type and flags', 0, 1], ['Remaining Length', 1, 2], ['Packet identifier', 2, 4]]);
  });
});

describe('annotateMqtt with the engine inspector', () => {
  it('takes ranges and values from describePacket and adds the flag bits', async () => {
    const { annotateMqtt } = await import('../../../src/worker/course/mqttFields.ts');
    const bytes = encodePacket({ cmd: 'connect', clientId: 'c1', keepalive: 60, clean: true, protocolId: 'MQTT' }, '3.1.1');
    const a = annotateMqtt(bytes, '3.1.1', 'CONNECT', 256);
    expect(a.fields.map((f) => f.name)).toEqual(['Packet type and flags', 'Remaining Length', 'Protocol name', 'Protocol level', 'Connect flags', 'Keep alive', 'Client identifier']);
    expect(a.fields.at(-1)!.end).toBe(bytes.length);
    const flags = a.fields.find((f) => f.name === 'Connect flags')!;
    expect(flags.bits!.map((b) => b.name)).toEqual(['User name flag', 'Password flag', 'Will retain', 'Will QoS', 'Will flag', 'Clean session', 'Reserved']);
    expect(a.fields[0]!.bits![0]!.value).toBe('1: CONNECT');
    expect(a.fields.find((f) => f.name === 'Client identifier')!.value).toContain('"c1"');
  });
});
