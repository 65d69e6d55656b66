import { describe, expect, it } from 'vitest';
import { mqttDescribePackets, wsDescribeFrames, wsEncodeFrame } from '../../src/worker/inspect.ts';

describe('byte inspection through the worker API', () => {
  it('encodes and describes a masked text frame (RFC 6455 section 5.7, "Hello" masked)', () => {
    const result = wsEncodeFrame({ opcode: 'text', payload: 'Hello', maskKey: new Uint8Array([0x37, 0xfa, 0x21, 0x3d]) });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.value.bytes]).toEqual([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    expect(result.value.description).toMatchObject({ opcodeName: 'text', masked: true, payloadBytes: 5, headerBytes: 6, frameBytes: 11, payloadText: 'Hello' });
  });

  it('names what is wrong with bad frame bytes', () => {
    expect(wsDescribeFrames(new Uint8Array([0x81, 0x05, 0x48]))).toEqual({ ok: false, error: '3 byte(s) after the last whole frame: the frame is incomplete' });
    expect(wsEncodeFrame({ opcode: 'shout' as never, payload: '' })).toEqual({ ok: false, error: 'unknown opcode "shout"' });
  });

  it('describes an MQTT PINGREQ and refuses a truncated PUBLISH', () => {
    const ping = mqttDescribePackets(new Uint8Array([0xc0, 0x00]));
    expect(ping.ok && ping.value.map((p) => [p.type, p.bytes])).toEqual([['PINGREQ', 2]]);
    const bad = mqttDescribePackets(new Uint8Array([0x30, 0x05, 0x00]));
    expect(bad.ok).toBe(false);
  });
});
