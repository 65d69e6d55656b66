import { describe, expect, it } from 'vitest';
import { computeAccept } from '../../../simulator/protocols/websocket/handshake.ts';
import { courseHandshake, upgradeBytes } from '../../../src/worker/course/handshake.ts';
import { runExchange } from '../../../src/worker/course/exchange.ts';

describe('courseHandshake', () => {
  it('without TLS, both clients can send after two round trips (TCP, then upgrade or CONNECT)', () => {
    const r = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '3.1.1' });
    expect(r.rttMs).toBe(100);
    expect(r.websocket.firstSendMs).toBe(200);
    expect(r.mqtt.firstSendMs).toBe(200);
    expect(r.websocket.roundTrips).toBe(2);
    expect(r.websocket.messages.slice(0, 3).map((m) => [m.label, m.from, m.sentMs, m.arrivedMs, m.bytes])).toEqual([
      ['SYN', 'client', 0, 50, 60],
      ['SYN-ACK', 'server', 50, 100, 60],
      ['ACK', 'client', 100, 150, 52],
    ]);
  });

  it('counts the handshake bytes the engines wrote: the upgrade is an order of magnitude larger than CONNECT + CONNACK', () => {
    const r = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '3.1.1' });
    const up = upgradeBytes();
    expect(r.websocket.handshakeBytes).toBe(up.request.length + up.response.length);
    expect(r.mqtt.handshakeBytes).toBe(29 + 4); // CONNECT with a 15-character client id, CONNACK
    // the segment carrying the GET is the request + 52 bytes of IPv4/TCP headers
    const get = r.websocket.messages.find((m) => m.label.startsWith('GET'))!;
    expect(get.bytes).toBe(up.request.length + 52);
    expect(get.inspect!.fields[0]!.value).toBe('GET /live HTTP/1.1');
  });

  it('puts the engine-computed Sec-WebSocket-Accept for the client\'s key in the 101', () => {
    const r = courseHandshake({ latencyMs: 20, tls: false, mqttVersion: '5' });
    expect(r.accept.accept).toBe(computeAccept(r.accept.key));
    const response = r.websocket.messages.find((m) => m.label.startsWith('101'))!;
    const acceptField = response.inspect!.fields.find((f) => f.name === 'Sec-WebSocket-Accept header')!;
    expect(acceptField.value.startsWith(r.accept.accept)).toBe(true);
  });

  it('TLS 1.3 adds one round trip for WebSocket; MQTT loses one more to Nagle behind the client Finished', () => {
    const r = courseHandshake({ latencyMs: 50, tls: true, mqttVersion: '3.1.1' });
    expect(r.websocket.firstSendMs).toBe(300);
    expect(r.mqtt.firstSendMs).toBe(400);
    const connect = r.mqtt.messages.find((m) => m.label === 'CONNECT')!;
    const finished = r.mqtt.messages.find((m) => m.label === 'Finished')!;
    expect(finished.sentMs).toBe(200);
    expect(connect.sentMs).toBe(300); // held until the ACK of Finished came back
    // ClientHello (1,474 bytes of records) does not fit one segment
    expect(r.websocket.messages.filter((m) => m.label === 'ClientHello (part)').length).toBe(2);
  });

  it('an MQTT client that pipelines PUBLISH behind CONNECT gains nothing with Nagle on: TCP holds it for the ACK', () => {
    const waits = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '3.1.1' });
    const pipelined = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '3.1.1', mqttPipelining: true });
    const publish = pipelined.mqtt.messages.find((m) => m.label.startsWith('first message'))!;
    expect(waits.mqtt.firstSendMs).toBe(200);
    expect(pipelined.mqtt.firstSendMs).toBe(200);
    expect(publish.sentMs).toBe(200);
    expect(publish.arrivedMs).toBe(250);
    // with TCP_NODELAY the pipelined PUBLISH leaves with CONNECT, one round trip earlier
    const noDelay = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '3.1.1', mqttPipelining: true, mqttNoDelay: true });
    expect(noDelay.mqtt.firstSendMs).toBe(100);
  });

  it('TCP_NODELAY on MQTT client and broker removes the extra round trip behind the TLS Finished', () => {
    const r = courseHandshake({ latencyMs: 50, tls: true, mqttVersion: '3.1.1', mqttNoDelay: true });
    expect(r.mqtt.firstSendMs).toBe(300);
  });

  it('the Nagle delay is Nagle\'s: the same script with TCP_NODELAY sends CONNECT at once', () => {
    const script = [
      { by: 'client' as const, afterBytes: 0, label: 'A', layer: 'tls' as const, bytes: new Uint8Array(100) },
      { by: 'client' as const, afterBytes: 0, label: 'B', layer: 'mqtt' as const, bytes: new Uint8Array(10), first: true },
    ];
    const nagle = runExchange(script, { latencyMs: 50, clientTcp: { nagle: true } });
    const noDelay = runExchange(script, { latencyMs: 50, clientTcp: { nagle: false } });
    expect(nagle.firstWriteUs).toBe(100_000);
    expect(nagle.firstSendUs).toBe(200_000); // written at once, held until A's ACK came back
    expect(nagle.messages.find((m) => m.label === 'B')!.sentMs).toBe(200);
    expect(noDelay.firstSendUs).toBe(100_000);
    expect(noDelay.messages.find((m) => m.label === 'B')!.sentMs).toBe(100);
  });
});
