/**
 * A real `ws` client against the engine's server (through the adapter) on 127.0.0.1, port 0.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { WebSocket } from 'ws';
import { startWsServer, type RealWsServer, type WsSocketAdapter } from '../../simulator/adapters/ws-socket.ts';

const SIZES = [0, 1, 125, 126, 65535, 65536];
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** The engine's server, echoing every message back as it came. */
async function echoServer(options: Parameters<typeof startWsServer>[0] = {}): Promise<RealWsServer> {
  const server = await startWsServer({
    ...options,
    onConnection: (a: WsSocketAdapter) =>
      a.onEvent((e) => {
        if (e.type !== 'message') return;
        a.act((engine, now) => (e.message.binary ? engine.sendBinary(e.message.data, now) : engine.sendText(e.message.data, now)));
      }),
  });
  cleanup.push(() => server.close());
  return server;
}

async function wsClient(port: number, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, ...options });
  cleanup.push(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((r) => ws.once('message', (data, isBinary) => r({ data: data as Buffer, isBinary })));
}

const text = (n: number) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.repeat(Math.ceil(n / 26) + 1).slice(0, n);
const binary = (n: number) => Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i * 13 + 5) & 0xff));

describe('ws client <-> engine server', () => {
  it('echoes text and binary of 0, 1, 125, 126, 65535 and 65536 bytes', async () => {
    const server = await echoServer();
    const ws = await wsClient(server.port);
    for (const size of SIZES) {
      let got = nextMessage(ws);
      ws.send(text(size));
      let m = await got;
      expect([m.isBinary, m.data.toString()]).toEqual([false, text(size)]);
      got = nextMessage(ws);
      ws.send(binary(size));
      m = await got;
      expect(m.isBinary).toBe(true);
      expect(m.data.equals(binary(size))).toBe(true);
    }
    const a = await server.connection();
    const sent = a.events.flatMap((e) => (e.type === 'frame' && e.frame.dir === 'send' ? [e.frame] : []));
    // Server frames are never masked: 4 bytes shorter than the client's.
    expect(sent.map((f) => f.frameBytes - f.payloadBytes)).toEqual([2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 10, 10]);
    expect(sent.some((f) => f.masked)).toBe(false);
  });

  it('fragmented messages both ways', async () => {
    const server = await echoServer({ fragmentBytes: 4096 });
    const ws = await wsClient(server.port);
    const got = nextMessage(ws);
    // ws fragments when told fin: false on all but the last send.
    ws.send(text(5000), { fin: false });
    ws.send(text(5000), { fin: true });
    const m = await got;
    expect(m.data.toString()).toBe(text(5000) + text(5000));
    const a = await server.connection();
    const received = a.events.flatMap((e) => (e.type === 'frame' && e.frame.dir === 'receive' ? [e.frame.opcode] : []));
    expect(received).toEqual(['text', 'continuation']);
    const sent = a.events.flatMap((e) => (e.type === 'frame' && e.frame.dir === 'send' ? [[e.frame.opcode, e.frame.payloadBytes]] : []));
    expect(sent).toEqual([['text', 4096], ['continuation', 4096], ['continuation', 1808]]);
  });

  it('ping/pong both ways', async () => {
    const server = await echoServer();
    const ws = await wsClient(server.port);
    const pong = new Promise<Buffer>((r) => ws.once('pong', (d) => r(d)));
    ws.ping('abc');
    expect((await pong).toString()).toBe('abc');
    const a = await server.connection();
    const ping = new Promise<Buffer>((r) => ws.once('ping', (d) => r(d)));
    a.act((e) => e.ping(new TextEncoder().encode('xyz')));
    expect((await ping).toString()).toBe('xyz');
    await a.waitFor((e) => e.type === 'pong');
  });

  it('close from the ws client', async () => {
    const server = await echoServer();
    const ws = await wsClient(server.port);
    const a = await server.connection();
    const closed = new Promise<[number, string]>((r) => ws.once('close', (c, reason) => r([c, reason.toString()])));
    ws.close(1001, 'going');
    expect(await a.waitFor((e) => e.type === 'closed')).toEqual({ type: 'closed', code: 1001, reason: 'going', wasClean: true, tcp: 'end' });
    expect(await closed).toEqual([1001, '']);
  });

  it('close from the engine server', async () => {
    const server = await echoServer();
    const ws = await wsClient(server.port);
    const a = await server.connection();
    const closed = new Promise<[number, string]>((r) => ws.once('close', (c, reason) => r([c, reason.toString()])));
    a.act((e, now) => e.close(1000, 'maintenance', now));
    expect(await closed).toEqual([1000, 'maintenance']);
    expect(await a.waitFor((e) => e.type === 'closed')).toMatchObject({ code: 1000, wasClean: true });
  });

  it('permessage-deflate: ws offers, the engine accepts, both inflate', async () => {
    const server = await echoServer({ deflate: { threshold: 0 } });
    const ws = await wsClient(server.port, { perMessageDeflate: { threshold: 0 } });
    expect(ws.extensions).toBe('permessage-deflate');
    for (const size of [0, 1, 125, 126, 65535, 65536]) {
      const got = nextMessage(ws);
      ws.send(text(size));
      expect((await got).data.toString()).toBe(text(size));
    }
    const a = await server.connection();
    const frames = a.events.flatMap((e) => (e.type === 'frame' ? [e.frame] : []));
    expect(frames.filter((f) => f.opcode === 'text').every((f) => f.rsv1)).toBe(true);
    expect(frames.at(-1)!.payloadBytes).toBeLessThan(200);
  });

  it('permessage-deflate with both no_context_takeover imposed by the engine', async () => {
    const server = await echoServer({ deflate: { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true } });
    const ws = await wsClient(server.port, { perMessageDeflate: { threshold: 0 } });
    // ws.extensions lists names only; the parameters ws accepted are on its PerMessageDeflate.
    const wsParams = (ws as unknown as { _extensions: Record<string, { params: Record<string, unknown> }> })._extensions['permessage-deflate']!.params;
    expect(wsParams).toMatchObject({ server_no_context_takeover: true, client_no_context_takeover: true });
    for (let i = 0; i < 3; i++) {
      const got = nextMessage(ws);
      ws.send('repeat repeat repeat');
      expect((await got).data.toString()).toBe('repeat repeat repeat');
    }
    const a = await server.connection();
    expect(a.engine.extensions).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover');
    const received = a.events.flatMap((e) => (e.type === 'frame' && e.frame.dir === 'receive' ? [e.frame.payloadBytes] : []));
    expect(new Set(received).size).toBe(1);
  });

  it('a protocol violation from a raw client gets a 1002 close frame', async () => {
    const server = await echoServer();
    const ws = await wsClient(server.port);
    const a = await server.connection();
    // An unmasked frame written straight to ws's socket: the engine must fail the connection.
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    (ws as unknown as { _socket: net.Socket })._socket.write(Buffer.from([0x81, 0x00]));
    expect(await a.waitFor((e) => e.type === 'error')).toMatchObject({ error: { code: 'UNMASKED_CLIENT_FRAME', protocolCode: 1002 } });
    expect(await closed).toBe(1002);
  });

  it('picks the subprotocol the ws client offers', async () => {
    const server = await echoServer({ protocols: ['mqtt'] });
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, ['chat', 'mqtt']);
    cleanup.push(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    expect(ws.protocol).toBe('mqtt');
    expect((await server.connection()).engine.protocol).toBe('mqtt');
  });

  it('answers 426 to a request with version 12 and 400 to one without a key', async () => {
    const server = await echoServer();
    const ask = (request: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () => s.write(request));
        let text = '';
        s.on('data', (d) => (text += d.toString()));
        s.on('close', () => resolve(text));
      });
    const base = 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
    const v12 = await ask(base + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 12\r\n\r\n');
    expect(v12.split('\r\n')[0]).toBe('HTTP/1.1 426 Upgrade Required');
    const noKey = await ask(base + 'Sec-WebSocket-Version: 13\r\n\r\n');
    expect(noKey.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
  });
});
