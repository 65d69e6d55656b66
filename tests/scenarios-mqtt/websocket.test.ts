/**
 * MQTT over WebSocket (MQTT section 6) as a browser's client does it: `mqtt.transport:
 * "websocket"` puts the client engine's bytes in masked binary frames to the broker's WebSocket
 * listener (port 8080, subprotocol mqtt), over TCP with TCP_NODELAY. Links: 25 ms each, no loss.
 */
import { describe, expect, it } from 'vitest';
import { msgs, runMqtt } from './helpers.ts';

const FLOW = 'mqtt:pub/t/1->sub';

describe('a browser-style client', () => {
  const run = runMqtt(
    [
      { id: 'pub', role: 'mqtt-client', mqtt: { transport: 'websocket' }, publish: [{ topic: 't/1', qos: 1, payloadBytes: 10, everyMs: 1000, startS: 1, stopS: 3 }] },
      { id: 'sub', role: 'mqtt-client', mqtt: { transport: 'websocket' }, subscribe: [{ topic: 't/#', qos: 1 }] },
    ],
    5,
  );

  it('opens with the WebSocket handshake on port 8080, then CONNECT in a binary frame', () => {
    const pubEvents = run.of('ws-event').filter((r) => r.node === 'pub').map((r) => `${r.event} ${r.detail ?? ''}`.trim());
    // The request offers subprotocol mqtt and permessage-deflate with an Origin, as a browser;
    // the broker selects mqtt and declines compression. 283 = the bare request's 184 bytes +
    // "Origin: https://pub.example\r\n" (29) + "Sec-WebSocket-Extensions: permessage-deflate;
    // client_max_window_bits\r\n" (70).
    expect(pubEvents).toEqual(['handshake-send request 283 bytes', 'handshake-receive response 159 bytes', 'open']);
    expect(run.of('ws-event').filter((r) => r.node === 'broker' && r.event === 'open').map((r) => r.detail)).toEqual(['protocol=mqtt', 'protocol=mqtt']);
    expect(run.of('ws-frame').every((r) => r.opcode === 'binary' || r.opcode === 'close')).toBe(true);
    const conns = new Set(run.of('mqtt-packet').filter((r) => r.node === 'pub').map((r) => r.conn));
    expect([...conns]).toEqual(['pub:49152-broker:8080']);
  });

  it('pays 6 bytes per packet from the client (2-byte header, 4-byte mask) and 2 from the broker', () => {
    // PUBLISH t/1, QoS 1, 10-byte payload: 2 fixed header + 2 + 3 topic + 2 packet id + 10 = 19 bytes.
    const pubFrames = run.of('ws-frame').filter((r) => r.node === 'pub' && r.dir === 'send').map((r) => [r.opcode, r.masked, r.payloadBytes, r.frameBytes]);
    // CONNECT (17 bytes), then the two PUBLISHes.
    expect(pubFrames).toEqual([['binary', true, 17, 23], ['binary', true, 19, 25], ['binary', true, 19, 25]]);
    const toSub = run.of('ws-frame').filter((r) => r.node === 'broker' && r.dir === 'send' && r.payloadBytes === 19);
    expect(toSub.map((r) => [r.masked, r.frameBytes])).toEqual([[false, 21], [false, 21]]);
  });

  it('delivers as over TCP, in one trip each way (no Nagle wait)', () => {
    const f = run.flow('pub', 'sub');
    expect([f.sent, f.delivered, f.duplicates, f.lost, f.inFlight]).toEqual([2, 2, 0, 0, 0]);
    // pub -> broker 50 ms, broker -> sub 50 ms, plus serialisation at 10 Mbit/s.
    expect(f.latencyMs?.p50).toBe(100.24);
  });

  it("traces each packet before the frame that carries it", () => {
    const pubRecords = run.trace.filter((r) => (r.kind === 'mqtt-packet' || r.kind === 'ws-frame') && r.node === 'pub' && r.dir === 'send');
    expect(pubRecords.slice(0, 4).map((r) => r.kind)).toEqual(['mqtt-packet', 'ws-frame', 'mqtt-packet', 'ws-frame']);
  });
});

describe('a Node client (websocketClient "node"): mqtt.js over the ws library', () => {
  // One QoS 0 PUBLISH of 100 bytes on topic "t" at 1 s, as the testbed's "publish bytes" probe.
  const run = runMqtt(
    [
      { id: 'pub', role: 'mqtt-client', mqtt: { transport: 'websocket', websocketClient: 'node' }, publish: [{ topic: 't', qos: 0, payloadBytes: 100, everyMs: 1000, startS: 1, stopS: 1.5 }] },
      { id: 'sub', role: 'mqtt-client', subscribe: [{ topic: 't', qos: 0 }] },
    ],
    3,
  );
  const atPublish = (r: { t: number; node: string }) => r.node === 'pub' && r.t >= 1_000_000 && r.t < 1_100_000;

  it('sends the PUBLISH as 5 frames, one per field mqtt-packet writes, each in its own segment', () => {
    // Header byte, Remaining Length (103), topic length, "t", payload: 1+1+2+1+100 bytes, each
    // frame + 2 header + 4 mask.
    const frames = run.of('ws-frame').filter((r) => atPublish(r) && r.dir === 'send');
    expect(frames.map((r) => [r.payloadBytes, r.frameBytes])).toEqual([[1, 7], [1, 7], [2, 8], [1, 7], [100, 106]]);
    // TCP_NODELAY: each frame leaves at once; + 52 bytes of IP and TCP headers (with timestamps)
    // each: 59 + 59 + 60 + 59 + 158 = 395 IP bytes, as measured on the testbed (157 over TCP).
    const segments = run.of('tcp-send').filter((r) => atPublish(r) && r.payloadBytes > 0);
    expect(segments.map((r) => r.wireBytes)).toEqual([59, 59, 60, 59, 158]);
  });

  it('delivers it whole: the broker reads packets across frames ([MQTT-6.0.0-2])', () => {
    const f = run.flow('pub', 'sub');
    expect([f.sent, f.delivered, f.lost]).toEqual([1, 1, 0]);
  });
});

/**
 * The dead return path of qos-and-outages.test.ts (pub's down link dead 4..24 s, QoS 0 every
 * 0.5 s from 1 s to 5.5 s, msg 0..9), with pub over WebSocket.
 */
function outageOverWebSocket(tcp: Record<string, unknown>) {
  return runMqtt(
    [
      {
        id: 'pub', role: 'mqtt-client', mqtt: { cleanSession: false, keepaliveS: 2, transport: 'websocket' }, tcp,
        down: { outages: [{ atS: 4, forS: 20 }] },
        publish: [{ topic: 't/1', qos: 0, payloadBytes: 10, everyMs: 500, startS: 1, stopS: 6 }],
      },
      { id: 'sub', role: 'mqtt-client', subscribe: [{ topic: 't/#', qos: 2 }] },
    ],
    60,
  );
}

describe('QoS 0 over WebSocket through a dead return path', () => {
  it('with TCP_NODELAY (the browser default) loses nothing: every frame left at once and only ACKs were lost', () => {
    const f = outageOverWebSocket({}).flow('pub', 'sub');
    expect([f.sent, f.delivered, f.lost, f.inFlight]).toEqual([10, 10, 0, 0]);
  });

  it('with Nagle on loses msg 7 and 8, held in the TCP buffer behind unacknowledged data, as over plain TCP', () => {
    // As there: mqtt.js's keepalive (restarted only by PINGRESP for a QoS 0 publisher) gives up
    // at 5.3 s, so msg 9 (5.5 s) is published offline, queued and delivered after the reconnect.
    const run = outageOverWebSocket({ nagle: true });
    const f = run.flow('pub', 'sub');
    expect([f.sent, f.delivered, f.lost, f.inFlight]).toEqual([10, 8, 2, 0]);
    expect(msgs(run, 'app-lost', FLOW)).toEqual([7, 8]);
    expect(new Set(run.of('app-lost').map((r) => r.reason))).toEqual(new Set(['qos0-connection-died']));
  });
});

it('refuses a WebSocket client when the broker has no WebSocket listener, naming both', () => {
  expect(() =>
    runMqtt([{ id: 'pub', role: 'mqtt-client', mqtt: { transport: 'websocket' } }], 1, {}, { broker: { websocketPort: 0 } }),
  ).toThrow('nodes[1].mqtt.transport: expected "tcp": broker "broker" has its WebSocket listener off (broker.websocketPort 0)');
});

it('closes the WebSocket cleanly when the broker refuses the client: close frames 1000 both ways, then TCP', () => {
  const run = runMqtt(
    [{ id: 'pub', role: 'mqtt-client', mqtt: { transport: 'websocket', username: 'u', password: 'wrong', reconnect: { periodMs: 100_000 } } }],
    3,
    {},
    { broker: { access: { users: { u: 'right' }, allowAnonymous: false } } },
  );
  expect(run.of('mqtt-event').find((r) => r.node === 'pub' && r.event.startsWith('disconnected'))).toMatchObject({ event: 'disconnected:connect-refused', detail: 'reasonCode=0x4' });
  const closes = run.of('ws-frame').filter((r) => r.opcode === 'close').map((r) => `${r.node} ${r.dir} ${r.closeCode}`);
  expect(closes).toEqual(['broker send 1000', 'pub send 1000', 'broker receive 1000', 'pub receive 1000']);
  // Each side ends TCP once it has both close frames; both connections end in TIME_WAIT, then CLOSED.
  const ends = run.of('tcp-state').filter((r) => r.to === 'CLOSED').map((r) => r.node);
  expect(ends.sort()).toEqual(['broker', 'pub']);
});
