import { describe, expect, it } from 'vitest';
import { computeAccept } from '../../../simulator/protocols/websocket/handshake.ts';
import { connectBytes, courseHandshake, segmentTimeMs, testbedSpanMs, upgradeBytes } from '../../../src/worker/course/handshake.ts';
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

  it('TLS 1.3: the client Finished and CONNECT leave in one write; with Nagle the CONNACK waits behind the second session ticket', () => {
    const r = courseHandshake({ latencyMs: 50, tls: true, mqttVersion: '3.1.1' });
    // WebSocket (TCP_NODELAY on both ends): TCP 1 RTT, TLS 1 RTT, upgrade 1 RTT = 300 ms.
    expect(r.websocket.firstSendMs).toBe(300);
    const labels = r.mqtt.messages.map((m) => [m.from, m.sentMs, m.label]);
    // Node's TLS socket sends the queued CONNECT with the Finished: one segment at 200 ms.
    expect(labels).toContainEqual(['client', 200, 'Finished + CONNECT']);
    // OpenSSL writes the two tickets as two writes. The first leaves at once (250 ms); Nagle holds
    // the second, and the CONNACK written behind it, until the first is ACKed. The client's
    // delayed ACK leaves 40 ms after the ticket arrived (300 + 40), reaches the broker at 390.
    expect(labels).toContainEqual(['server', 250, 'NewSessionTicket']);
    expect(labels).toContainEqual(['client', 340, 'ACK']);
    expect(labels).toContainEqual(['server', 390, 'NewSessionTicket + CONNACK']);
    // CONNACK arrives at 440: one round trip and one delayed ACK (100 + 40 ms) after it would have.
    expect(r.mqtt.firstSendMs).toBe(440);
    // ClientHello (1,474 bytes of records) does not fit one segment
    expect(r.websocket.messages.filter((m) => m.label === 'ClientHello (part)').length).toBe(2);
  });

  it('counts what the bytes before the first message are: headers of every packet, TLS records, the protocol handshake', () => {
    const r = courseHandshake({ latencyMs: 50, tls: true, mqttVersion: '3.1.1' });
    const b = r.mqtt.breakdown;
    expect(b.headerBytes + b.tlsBytes + b.handshakeBytes).toBe(r.mqtt.bytesBefore);
    // TLS: ClientHello 1,474 + server flight 1,855 + CCS and Finished 80 + two tickets of 287,
    // plus 22 bytes of record around CONNECT and around CONNACK = 4,027.
    expect(b.tlsBytes).toBe(1474 + 1855 + 80 + 2 * 287 + 2 * 22);
    // CONNECT 29 + CONNACK 4.
    expect(b.handshakeBytes).toBe(33);
    // 15 packets: 3 of the TCP handshake, ClientHello in 2, 2 ACKs, the server flight in 2,
    // 2 ACKs, Finished + CONNECT, the first ticket, the delayed ACK, ticket 2 + CONNACK. SYN and
    // SYN-ACK carry 60 bytes of headers, the others 52: 2 x 60 + 13 x 52 = 796.
    expect([b.segments, b.controlSegments, b.headerBytes]).toEqual([15, 8, 796]);
  });

  it('the simulated broker answers an MQTT 5 CONNECT with its limits: 11 bytes, as mosquitto 2.0', () => {
    const v5 = connectBytes('5').connack;
    // 20 (CONNACK) 09 | 00 (session present 0) 00 (success) | 06 (properties) 22 000a (Topic Alias Maximum 10) 21 0014 (Receive Maximum 20)
    expect(Buffer.from(v5).toString('hex')).toBe('2009' + '0000' + '06' + '22000a' + '210014');
    expect(Buffer.from(connectBytes('3.1.1').connack).toString('hex')).toBe('20020000');
    const r = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '5' });
    expect(r.mqtt.messages.find((m) => m.label === 'CONNACK')!.bytes).toBe(11 + 52);
  });

  it('on a slow link bytes cost time: at 9.6 kbit/s the 265-byte upgrade request alone takes 264 ms to send', () => {
    // (265 + 52 bytes of headers) x 8 bits / 9,600 bit/s = 264.17 ms
    expect(upgradeBytes().request.length).toBe(265);
    expect(segmentTimeMs(265, 9.6)).toBeCloseTo(264.167, 3);
    const fast = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '3.1.1' });
    const slow = courseHandshake({ latencyMs: 50, tls: false, mqttVersion: '3.1.1', bandwidthKbps: 9.6 });
    // Without a rate limit both first messages arrive at 250 ms; at 9.6 kbit/s WebSocket's is
    // 960 ms, MQTT's 669.2 ms: the upgrade's 394 bytes against CONNECT and CONNACK's 33.
    expect([fast.websocket.firstArrivedMs, fast.mqtt.firstArrivedMs]).toEqual([250, 250]);
    expect(slow.websocket.firstArrivedMs).toBeCloseTo(960, 0);
    expect(slow.mqtt.firstArrivedMs).toBeCloseTo(669.2, 1);
    expect(slow.input.bandwidthKbps).toBe(9.6);
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

  it('TCP_NODELAY on the broker lets the tickets and the CONNACK leave together: 300 ms, as WebSocket', () => {
    const r = courseHandshake({ latencyMs: 50, tls: true, mqttVersion: '3.1.1', mqttNoDelay: true });
    expect(r.mqtt.firstSendMs).toBe(300);
    expect(r.mqtt.messages.filter((m) => m.from === 'server' && m.sentMs === 250).map((m) => m.label)).toEqual(['NewSessionTicket', 'NewSessionTicket', 'CONNACK']);
  });

  it('the span the testbed measures, at its 25 ms: plain 150 ms, TLS 200 ms, mqtts with Nagle 290 ms', () => {
    const at = (more: object) => courseHandshake({ latencyMs: 25, tls: false, mqttVersion: '3.1.1', ...more });
    const plain = at({});
    const tls = at({ tls: true });
    const noDelay = at({ tls: true, mqttNoDelay: true });
    // SYN to the first message back on the client's side: 3 round trips without TLS, 4 with it,
    // and with Nagle one round trip and a 40 ms delayed ACK more (50 + 40).
    expect([testbedSpanMs(plain.mqtt, 25), testbedSpanMs(plain.websocket, 25)]).toEqual([150, 150]);
    expect([testbedSpanMs(tls.websocket, 25), testbedSpanMs(noDelay.mqtt, 25), testbedSpanMs(tls.mqtt, 25)]).toEqual([200, 200, 290]);
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
