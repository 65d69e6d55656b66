import { describe, expect, it } from 'vitest';
import { courseOverhead, layerBytes, mqttPublish, wsFrame } from '../../../src/worker/course/overhead.ts';
import { topicOfLength, SAMPLE_TOPIC } from '../../../src/worker/course/samples.ts';
import type { OverheadInput } from '../../../src/worker/course/types.ts';

const base: OverheadInput = { payloadBytes: 20, topicLength: 14, qos: 0, mqttVersion: '3.1.1', layer: 'protocol', sweep: [0, 20, 125, 126, 1500] };

describe('topicOfLength', () => {
  it('gives the sample topic at 14 and a valid topic of exactly the asked length otherwise', () => {
    expect(topicOfLength(14)).toBe(SAMPLE_TOPIC);
    for (const n of [1, 2, 7, 40, 61, 200]) {
      const t = topicOfLength(n);
      expect(t.length).toBe(n);
      expect(t).not.toMatch(/[+#]|\/$/);
    }
  });
});

describe('courseOverhead', () => {
  it('builds frames whose sizes follow RFC 6455 (2-byte header, +4 masked, +2 from 126 bytes on)', () => {
    expect(wsFrame(20, false).length).toBe(22);
    expect(wsFrame(20, true).length).toBe(26);
    expect(wsFrame(125, false).length).toBe(127);
    expect(wsFrame(126, false).length).toBe(130);
  });

  it('builds a 3.1.1 QoS 0 PUBLISH of 2 + 2 + topic + payload bytes, and QoS 1 adds the packet id', () => {
    expect(mqttPublish(20, SAMPLE_TOPIC, 0, '3.1.1').length).toBe(38);
    expect(mqttPublish(20, SAMPLE_TOPIC, 1, '3.1.1').length).toBe(40);
    // MQTT 5: one more byte, the (empty) property length
    expect(mqttPublish(20, SAMPLE_TOPIC, 0, '5').length).toBe(39);
  });

  it('labels the masked frame with its key and gives the chart one point per sweep size per series', () => {
    const r = courseOverhead(base);
    expect(r.wsMasked.fields.map((f) => f.name)).toEqual(['FIN, RSV1-3, opcode', 'MASK, payload length', 'Masking key', 'Payload (masked)']);
    expect(r.wsMasked.totalBytes).toBe(26);
    expect(r.mqttPublish.totalBytes).toBe(38);
    expect(r.series.map((s) => s.id)).toEqual(['ws-masked', 'ws-unmasked', 'mqtt']);
    expect(r.series[1]!.points.map((p) => p.wireBytes)).toEqual([2, 22, 127, 130, 1504]);
    expect(r.mqttAcks).toEqual([]);
  });

  it('adds the acknowledgements as a fourth series at QoS 2, each in its own segment', () => {
    const r = courseOverhead({ ...base, qos: 2, layer: 'tcpip' });
    expect(r.mqttAcks.map((a) => [a.title, a.totalBytes])).toEqual([
      ['MQTT 3.1.1 PUBREC', 4], ['MQTT 3.1.1 PUBREL', 4], ['MQTT 3.1.1 PUBCOMP', 4],
    ]);
    const at20 = (id: string) => r.series.find((s) => s.id === id)!.points.find((p) => p.payloadBytes === 20)!.wireBytes;
    // PUBLISH 40 bytes + 52 of IPv4/TCP/timestamps; each 4-byte ack + 52
    expect(at20('mqtt')).toBe(92);
    expect(at20('mqtt-acked')).toBe(92 + 3 * 56);
  });

  it('counts one TLS 1.3 record (22 bytes) per write and a second segment past the MSS', () => {
    expect(layerBytes(26, 'tls')).toBe(26 + 22 + 52);
    expect(layerBytes(1448, 'tcpip')).toBe(1448 + 52);
    expect(layerBytes(1449, 'tcpip')).toBe(1449 + 2 * 52);
  });
});
