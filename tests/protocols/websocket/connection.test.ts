import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RemoteProtocolError } from '../../../simulator/core/errors.ts';
import {
  WsConnection,
  computeAccept,
  encodeFrame,
  encodeUtf8,
  buildClientRequest,
  type WsEvent,
} from '../../../simulator/protocols/websocket/index.ts';
import { Pair, drain, types } from './helpers.ts';
import { fromHex, toHex } from './fixtures.ts';

const fixedRandom = (n: number) => new Uint8Array(n).fill(0x41);
const messages = (events: WsEvent[]) =>
  events.flatMap((e) => (e.type === 'message' ? [e.message.binary ? toHex(e.message.data) : e.message.text] : []));

describe('opening handshake', () => {
  it('writes the exact client request and server response, and counts every byte', () => {
    const client = new WsConnection({ role: 'client', random: fixedRandom, host: 'example.com', path: '/chat', protocols: ['mqtt'] });
    client.start(0);
    const request = new TextDecoder().decode(client.dataToSend());
    const key = 'QUFBQUFBQUFBQUFBQUFBQQ=='; // base64 of 16 x 0x41
    expect(request).toBe(
      'GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`,
    );
    expect(client.handshakeBytes.request).toBe(request.length);
    const server = new WsConnection({ role: 'server', random: fixedRandom, protocols: ['mqtt'] });
    server.receiveData(encodeUtf8(request), 0);
    const response = new TextDecoder().decode(server.dataToSend());
    expect(response).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${computeAccept(key)}\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`,
    );
    expect(server.state).toBe('OPEN');
    client.receiveData(encodeUtf8(response), 0);
    expect(client.state).toBe('OPEN');
    expect(client.protocol).toBe('mqtt');
    expect(client.handshakeBytes).toEqual({ request: request.length, response: response.length });
  });

  it('the Sec-WebSocket-Key comes from the injected random stream', () => {
    const a = new Pair({}, {}, 7).open();
    const b = new Pair({}, {}, 7).open();
    const c = new Pair({}, {}, 8).open();
    expect(a.wire).toEqual(b.wire);
    expect(a.client.handshakeBytes).toEqual(b.client.handshakeBytes);
    expect(a.client.state).toBe('OPEN');
    expect(c.client.state).toBe('OPEN');
  });

  const refuse = (request: string) => {
    const server = new WsConnection({ role: 'server', random: fixedRandom });
    server.receiveData(encodeUtf8(request), 0);
    const response = new TextDecoder().decode(server.dataToSend());
    return { response, events: drain(server), state: server.state };
  };
  const good = buildClientRequest({ key: 'QUFBQUFBQUFBQUFBQUFBQQ==', host: 'h' });

  it('answers 426 with the supported version to Sec-WebSocket-Version 12 (RFC 6455 section 4.4)', () => {
    const { response, events, state } = refuse(good.replace('Version: 13', 'Version: 12'));
    expect(response.split('\r\n')[0]).toBe('HTTP/1.1 426 Upgrade Required');
    expect(response).toContain('\r\nSec-WebSocket-Version: 13\r\n');
    const failed = events.find((e) => e.type === 'handshake-failed');
    expect(failed && failed.type === 'handshake-failed' && [failed.error.code, failed.error.protocolCode]).toEqual(['HANDSHAKE_BAD_VERSION', 426]);
    expect(events.at(-1)).toMatchObject({ type: 'closed', code: 1006, tcp: 'end' });
    expect(state).toBe('CLOSED');
  });

  it('answers 400 to a missing key and 405 to a POST', () => {
    expect(refuse(good.replace(/Sec-WebSocket-Key: .*\r\n/, '')).response.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(refuse(good.replace('GET', 'POST')).response.split('\r\n')[0]).toBe('HTTP/1.1 405 Method Not Allowed');
  });

  it('answers 400 to a request without Upgrade: websocket or without the Upgrade token in Connection', () => {
    const noUpgrade = refuse(good.replace('Upgrade: websocket', 'Upgrade: h2c'));
    expect(noUpgrade.response.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    const failed = noUpgrade.events.find((e) => e.type === 'handshake-failed');
    expect(failed && failed.type === 'handshake-failed' && [failed.error.code, failed.error.protocolCode]).toEqual(['HANDSHAKE_BAD_UPGRADE', 400]);
    const noToken = refuse(good.replace('Connection: Upgrade', 'Connection: keep-alive'));
    expect(noToken.response.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    const failed2 = noToken.events.find((e) => e.type === 'handshake-failed');
    expect(failed2 && failed2.type === 'handshake-failed' && failed2.error.code).toBe('HANDSHAKE_BAD_CONNECTION');
    // Tokens are case-insensitive and may sit in a list (RFC 6455 4.2.1 items 3-4).
    expect(refuse(good.replace('Connection: Upgrade', 'Connection: keep-alive, upgrade')).response.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('the client aborts on a 101 without Connection: Upgrade (RFC 6455 section 4.1)', () => {
    const client = new WsConnection({ role: 'client', random: fixedRandom });
    client.start(0);
    client.dataToSend();
    client.receiveData(encodeUtf8('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: AAAA\r\n\r\n'), 0);
    const events = drain(client);
    expect(events[2]).toMatchObject({ type: 'handshake-failed', error: { code: 'HANDSHAKE_BAD_CONNECTION' } });
    expect(events[3]).toMatchObject({ code: 1006, tcp: 'abort', wasClean: false });
  });

  it('the client aborts on a wrong Sec-WebSocket-Accept', () => {
    const client = new WsConnection({ role: 'client', random: fixedRandom });
    client.start(0);
    client.dataToSend();
    client.receiveData(encodeUtf8('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n'), 0);
    const events = drain(client);
    expect(types(events)).toEqual(['handshake', 'handshake', 'handshake-failed', 'closed']);
    expect(events[2]).toMatchObject({ type: 'handshake-failed', error: { code: 'HANDSHAKE_BAD_ACCEPT' } });
    expect(events[3]).toMatchObject({ code: 1006, tcp: 'abort', wasClean: false });
  });

  it('frames that follow the 101 in the same bytes are read', () => {
    const p = new Pair();
    p.client.start(0);
    p.server.receiveData(p.client.dataToSend()!, 0);
    p.server.sendText('early', 0);
    p.client.receiveData(p.server.dataToSend()!, 0);
    expect(messages(drain(p.client))).toEqual(['early']);
  });
});

describe('messages', () => {
  it('text and binary both ways, client frames masked, server frames not', () => {
    const p = new Pair().open();
    p.clientEvents = [];
    p.serverEvents = [];
    p.client.sendText('hello', 0);
    p.server.sendBinary(new Uint8Array([1, 2, 3]), 0);
    p.pump();
    expect(messages(p.serverEvents)).toEqual(['hello']);
    expect(messages(p.clientEvents)).toEqual(['010203']);
    const sent = (events: WsEvent[]) => events.flatMap((e) => (e.type === 'frame' && e.frame.dir === 'send' ? [e.frame] : []));
    expect(sent(p.clientEvents)).toEqual([{ dir: 'send', opcode: 'text', fin: true, rsv1: false, masked: true, payloadBytes: 5, frameBytes: 11 }]);
    expect(sent(p.serverEvents)).toEqual([{ dir: 'send', opcode: 'binary', fin: true, rsv1: false, masked: false, payloadBytes: 3, frameBytes: 5 }]);
  });

  it('fragments by fragmentBytes and reassembles', () => {
    const p = new Pair({ fragmentBytes: 4 }).open();
    p.clientEvents = [];
    p.serverEvents = [];
    p.client.sendText('0123456789', 0);
    p.pump();
    const frames = p.clientEvents.flatMap((e) => (e.type === 'frame' ? [[e.frame.opcode, e.frame.fin, e.frame.payloadBytes]] : []));
    expect(frames).toEqual([['text', false, 4], ['continuation', false, 4], ['continuation', true, 2]]);
    const msg = p.serverEvents.find((e) => e.type === 'message');
    expect(msg).toMatchObject({ message: { text: '0123456789', frames: 3, wireBytes: 3 * 6 + 4 + 4 + 2 } });
  });

  it('answers a ping with a pong carrying the same data', () => {
    const p = new Pair().open();
    p.serverEvents = [];
    p.clientEvents = [];
    p.client.ping(encodeUtf8('abc'), 0);
    p.pump();
    expect(types(p.serverEvents)).toEqual(['frame:receive:ping', 'ping', 'frame:send:pong']);
    expect(p.clientEvents.find((e) => e.type === 'pong')).toMatchObject({ data: encodeUtf8('abc') });
  });

  it('refuses to send before the handshake or after close', () => {
    const c = new WsConnection({ role: 'client', random: fixedRandom });
    expect(() => c.sendText('x', 0)).toThrowError(expect.objectContaining({ code: 'NOT_OPEN' }));
  });
});

describe('closing', () => {
  it('client-initiated close: echo of the code, both CLOSED, clean, TCP ended', () => {
    const p = new Pair().open();
    p.serverEvents = [];
    p.clientEvents = [];
    p.client.close(1000, 'done', 0);
    expect(p.client.state).toBe('CLOSING');
    p.pump();
    expect(types(p.serverEvents)).toEqual(['frame:receive:close', 'close-received', 'frame:send:close', 'closed']);
    expect(p.serverEvents.at(-1)).toEqual({ type: 'closed', code: 1000, reason: 'done', wasClean: true, tcp: 'end' });
    expect(p.clientEvents.at(-1)).toEqual({ type: 'closed', code: 1000, reason: '', wasClean: true, tcp: 'end' });
    expect([p.client.state, p.server.state]).toEqual(['CLOSED', 'CLOSED']);
  });

  it('server-initiated close without a code is reported as 1005', () => {
    const p = new Pair().open();
    p.server.close(undefined, '', 0);
    p.pump();
    expect(p.clientEvents.at(-1)).toMatchObject({ type: 'closed', code: 1005, wasClean: true });
  });

  it('a dead TCP connection is 1006 to the application', () => {
    const p = new Pair().open();
    p.client.connectionLost(5);
    expect(drain(p.client)).toEqual([{ type: 'closed', code: 1006, reason: '', wasClean: false, tcp: 'none' }]);
  });

  it('gives up on a peer that never answers the close after closeTimeout', () => {
    const p = new Pair({ closeTimeout: 2_000_000 }).open();
    p.client.close(1000, '', 100);
    drain(p.client);
    expect(p.client.nextTimer()).toBe(2_000_100);
    p.client.handleTimer(2_000_100);
    expect(types(drain(p.client))).toEqual(['error', 'closed']);
  });

  it('rejects a bad local close code', () => {
    const p = new Pair().open();
    expect(() => p.client.close(1006, '', 0)).toThrowError(expect.objectContaining({ code: 'BAD_CLOSE_CODE' }));
  });
});

describe('protocol errors', () => {
  it('an unmasked client frame gets a 1002 close and the connection is dropped', () => {
    const p = new Pair().open();
    p.server.receiveData(fromHex('8100'), 0);
    const events = drain(p.server);
    expect(types(events)).toEqual(['error', 'frame:send:close', 'closed']);
    expect((events[0] as { error: RemoteProtocolError }).error.code).toBe('UNMASKED_CLIENT_FRAME');
    expect(events[1]).toMatchObject({ frame: { closeCode: 1002 } });
    expect(events[2]).toMatchObject({ code: 1002, wasClean: false, tcp: 'end' });
    expect(toHex(p.server.dataToSend()!)).toBe('880203ea');
  });

  it('invalid UTF-8 in a text message closes with 1007', () => {
    const p = new Pair().open();
    p.client.receiveData(encodeFrame({ opcode: 1, payload: fromHex('fffe') }), 0);
    const events = drain(p.client);
    expect(events.at(-1)).toMatchObject({ type: 'closed', code: 1007 });
  });

  it('a message over maxPayload closes with 1009', () => {
    const p = new Pair({}, { maxPayload: 10 }).open();
    p.client.sendBinary(new Uint8Array(11), 0);
    p.pump();
    expect(p.serverEvents.at(-1)).toMatchObject({ type: 'closed', code: 1009 });
  });

  it('random bytes after the handshake never throw; they end in a protocol close or nothing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), (bytes, toServer) => {
        const p = new Pair({ deflate: {} }, { deflate: {}, maxPayload: 1 << 16 }, 3).open();
        const target = toServer ? p.server : p.client;
        target.receiveData(bytes, 0);
        const closed = drain(target).find((e) => e.type === 'closed');
        if (closed && closed.type === 'closed') expect([1000, 1001, 1002, 1003, 1005, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014]).toContain(closed.code);
      }),
    );
  });
});

describe('bad handshake bytes', () => {
  it('random bytes before the handshake never throw; a server answers 4xx, a client aborts', () => {
    const head = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ maxLength: 200 }).map((t) => encodeUtf8(t + '\r\n\r\n')),
      fc.string({ maxLength: 60 }).map((t) => encodeUtf8(`GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${t}\r\n\r\n`)),
    );
    fc.assert(
      fc.property(head, fc.boolean(), (bytes, server) => {
        const conn = server
          ? new WsConnection({ role: 'server', random: fixedRandom })
          : new WsConnection({ role: 'client', random: fixedRandom });
        if (!server) {
          conn.start(0);
          conn.dataToSend();
        }
        conn.receiveData(bytes, 0);
        const events = drain(conn);
        const failed = events.find((e) => e.type === 'handshake-failed');
        if (failed && failed.type === 'handshake-failed') {
          expect(failed.error).toBeInstanceOf(RemoteProtocolError);
          if (server) expect([400, 405, 426, 431]).toContain(failed.error.protocolCode);
          expect(events.at(-1)).toMatchObject({ type: 'closed', code: 1006 });
        }
      }),
    );
  });
});

describe('heartbeat', () => {
  it('pings every interval and declares the peer dead when no pong comes', () => {
    const p = new Pair({ heartbeatInterval: 10_000_000 }).open();
    p.clientEvents = [];
    expect(p.client.nextTimer()).toBe(10_000_000);
    p.now = 10_000_000;
    p.client.handleTimer(p.now);
    p.pump(); // the server answers with a pong
    expect(types(p.clientEvents).filter((t) => t.includes('p'))).toEqual(['frame:send:ping', 'frame:receive:pong', 'pong']);
    expect(p.client.nextTimer()).toBe(20_000_000);
    // Now the peer goes silent: the ping leaves but nothing comes back.
    p.client.handleTimer(20_000_000);
    p.client.dataToSend();
    expect(p.client.nextTimer()).toBe(30_000_000);
    p.client.handleTimer(30_000_000);
    const events = drain(p.client);
    expect(events.slice(-2)).toMatchObject([{ type: 'error', error: { code: 'PONG_TIMEOUT' } }, { type: 'closed', code: 1006, tcp: 'abort' }]);
  });
});

describe('permessage-deflate (RFC 7692)', () => {
  const repetitive = encodeUtf8('{"sensor":"temp-1","value":21.5,"unit":"C"}'.repeat(40));

  it('negotiates as ws does and compresses with a real deflate', () => {
    const p = new Pair({ deflate: {} }, { deflate: {} }).open();
    expect(p.client.extensions).toBe('permessage-deflate');
    expect(p.client.deflateParams).toEqual({ serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 });
    p.clientEvents = [];
    p.serverEvents = [];
    p.client.sendText(repetitive, 0);
    p.client.sendText(repetitive, 0);
    p.pump();
    const sizes = p.clientEvents.flatMap((e) => (e.type === 'frame' ? [e.frame.payloadBytes] : []));
    expect(sizes[0]).toBeLessThan(repetitive.length / 10);
    // Context takeover: the second copy is a back-reference to the first.
    expect(sizes[1]).toBeLessThan(sizes[0]!);
    expect(p.clientEvents.every((e) => e.type !== 'frame' || e.frame.rsv1)).toBe(true);
    const got = p.serverEvents.filter((e) => e.type === 'message');
    expect(got.map((e) => e.type === 'message' && e.message.data.length)).toEqual([repetitive.length, repetitive.length]);
    expect(got.every((e) => e.type === 'message' && e.message.compressed)).toBe(true);
  });

  it('with server_no_context_takeover each server message compresses alone', () => {
    const p = new Pair({ deflate: {} }, { deflate: { serverNoContextTakeover: true } }).open();
    expect(p.client.extensions).toBe('permessage-deflate; server_no_context_takeover');
    p.clientEvents = [];
    p.server.sendText(repetitive, 0);
    p.server.sendText(repetitive, 0);
    p.pump();
    const sizes = p.clientEvents.flatMap((e) => (e.type === 'frame' ? [e.frame.payloadBytes] : []));
    expect(sizes[0]).toBe(sizes[1]);
    expect(messages(p.clientEvents)).toHaveLength(2);
  });

  it('client_no_context_takeover, requested by the client, is granted', () => {
    const p = new Pair({ deflate: { clientNoContextTakeover: true } }, { deflate: {} }).open();
    expect(p.client.extensions).toBe('permessage-deflate; client_no_context_takeover');
    expect(p.server.deflateParams?.clientNoContextTakeover).toBe(true);
  });

  it('messages under the threshold go uncompressed; fragmentation keeps RSV1 on the first frame only', () => {
    const p = new Pair({ deflate: {}, fragmentBytes: 50 }, { deflate: {} }).open();
    p.clientEvents = [];
    p.serverEvents = [];
    p.client.sendText('small', 0);
    p.client.sendText(repetitive, 0);
    p.pump();
    const frames = p.clientEvents.flatMap((e) => (e.type === 'frame' ? [[e.frame.opcode, e.frame.rsv1]] : []));
    expect(frames[0]).toEqual(['text', false]);
    expect(frames[1]).toEqual(['text', true]);
    expect(frames.slice(2).every(([op, rsv1]) => op === 'continuation' && rsv1 === false)).toBe(true);
    expect(messages(p.serverEvents)).toEqual(['small', new TextDecoder().decode(repetitive)]);
  });

  it('a server without deflate ignores the offer', () => {
    const p = new Pair({ deflate: {} }, {}).open();
    expect([p.client.state, p.client.extensions]).toEqual(['OPEN', undefined]);
  });

  it('any chunking of the server stream yields the same messages', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 1500 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 64 }), (texts, chunk) => {
        const p = new Pair({ deflate: {} }, { deflate: { threshold: 0 }, fragmentBytes: 100 }).open();
        p.clientEvents = [];
        for (const t of texts) p.server.sendText(t, 0);
        const bytes = p.server.dataToSend()!;
        for (let i = 0; i < bytes.length; i += chunk) p.client.receiveData(bytes.subarray(i, i + chunk), 0);
        expect(messages(drain(p.client))).toEqual(texts);
      }),
      { numRuns: 50 },
    );
  });
});
