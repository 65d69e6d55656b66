/**
 * The engine's WebSocket client, on a real socket through the adapter, against a real `ws` server
 * on 127.0.0.1 (port 0).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { connectWsClient, type WsSocketAdapter } from '../../simulator/adapters/ws-socket.ts';
import type { WsEvent } from '../../simulator/protocols/websocket/index.ts';

const SIZES = [0, 1, 125, 126, 65535, 65536];
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function echoServer(options: ConstructorParameters<typeof WebSocketServer>[0] = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const peers: WebSocket[] = [];
  wss.on('connection', (ws) => {
    peers.push(ws);
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  cleanup.push(() => new Promise<void>((r) => { for (const p of peers) p.terminate(); wss.close(() => r()); }));
  return { wss, peers, port: (wss.address() as AddressInfo).port };
}

async function client(port: number, options: Parameters<typeof connectWsClient>[1] = {}): Promise<WsSocketAdapter> {
  const c = await connectWsClient(port, options);
  cleanup.push(() => c.destroy());
  await c.waitFor((e) => e.type === 'open' || e.type === 'closed');
  return c;
}

const isMessage = (e: WsEvent) => e.type === 'message';
const text = (n: number) => 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(n / 26) + 1).slice(0, n);
const binary = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

describe('engine client <-> ws server', () => {
  it('completes the handshake', async () => {
    const { port, peers } = await echoServer();
    const c = await client(port);
    expect(c.engine.state).toBe('OPEN');
    expect(c.engine.handshakeBytes.request).toBeGreaterThan(100);
    expect(peers).toHaveLength(1);
  });

  it('echoes text and binary of 0, 1, 125, 126, 65535 and 65536 bytes', async () => {
    const { port } = await echoServer();
    const c = await client(port);
    let n = 0;
    for (const size of SIZES) {
      c.act((e, now) => e.sendText(text(size), now));
      const t = await c.waitFor(isMessage, n++);
      expect(t.type === 'message' && [t.message.binary, t.message.text]).toEqual([false, text(size)]);
      c.act((e, now) => e.sendBinary(binary(size), now));
      const b = await c.waitFor(isMessage, n++);
      expect(b.type === 'message' && b.message.binary).toBe(true);
      expect(b.type === 'message' && Buffer.from(b.message.data).equals(Buffer.from(binary(size)))).toBe(true);
    }
    // Every frame the client sent was masked, with the header length RFC 6455 section 5.2 gives.
    const sent = c.events.flatMap((e) => (e.type === 'frame' && e.frame.dir === 'send' ? [e.frame] : []));
    expect(sent.map((f) => f.frameBytes - f.payloadBytes)).toEqual([6, 6, 6, 6, 6, 6, 8, 8, 8, 8, 14, 14]);
    expect(sent.every((f) => f.masked)).toBe(true);
  });

  it('sends a fragmented message that ws reassembles', async () => {
    const { port } = await echoServer();
    const c = await client(port, { fragmentBytes: 1000 });
    c.act((e, now) => e.sendText(text(65536), now));
    const m = await c.waitFor(isMessage);
    expect(m.type === 'message' && m.message.text).toBe(text(65536));
    expect(c.events.filter((e) => e.type === 'frame' && e.frame.dir === 'send')).toHaveLength(66);
  });

  it('ping/pong both ways', async () => {
    const { port, peers } = await echoServer();
    const c = await client(port);
    c.act((e) => e.ping(new TextEncoder().encode('hi')));
    const pong = await c.waitFor((e) => e.type === 'pong');
    expect(pong.type === 'pong' && new TextDecoder().decode(pong.data)).toBe('hi');
    const got = new Promise<Buffer>((r) => peers[0]!.once('pong', (d) => r(d)));
    peers[0]!.ping('yo');
    expect((await got).toString()).toBe('yo');
    expect(c.events.some((e) => e.type === 'ping')).toBe(true);
  });

  it('closes from the client side', async () => {
    const { port, peers } = await echoServer();
    const c = await client(port);
    const serverClose = new Promise<[number, string]>((r) => peers[0]!.once('close', (code, reason) => r([code, reason.toString()])));
    c.act((e, now) => e.close(1000, 'bye', now));
    expect(await serverClose).toEqual([1000, 'bye']);
    const closed = await c.waitFor((e) => e.type === 'closed');
    expect(closed).toMatchObject({ code: 1000, wasClean: true });
  });

  it('closes from the server side', async () => {
    const { port, peers } = await echoServer();
    const c = await client(port);
    peers[0]!.close(4000, 'server says bye');
    const closed = await c.waitFor((e) => e.type === 'closed');
    expect(closed).toEqual({ type: 'closed', code: 4000, reason: 'server says bye', wasClean: true, tcp: 'end' });
  });

  it('reports 1006 when the server drops the TCP connection', async () => {
    const { port, peers } = await echoServer();
    const c = await client(port);
    peers[0]!.terminate();
    const closed = await c.waitFor((e) => e.type === 'closed');
    expect(closed).toMatchObject({ code: 1006, wasClean: false });
  });

  it('negotiates permessage-deflate with ws and both sides inflate what the other deflated', async () => {
    const { port, peers } = await echoServer({ perMessageDeflate: true });
    const c = await client(port, { deflate: {} });
    expect(c.engine.extensions).toBe('permessage-deflate');
    const payload = '{"sensor":"temp-1","value":21.5}'.repeat(2048);
    c.act((e, now) => e.sendText(payload, now));
    const m = await c.waitFor(isMessage);
    expect(m.type === 'message' && [m.message.text === payload, m.message.compressed]).toEqual([true, true]);
    const frames = c.events.flatMap((e) => (e.type === 'frame' ? [e.frame] : []));
    expect(frames.every((f) => f.rsv1)).toBe(true);
    expect(frames[0]!.payloadBytes).toBeLessThan(payload.length / 20);
    expect(peers).toHaveLength(1);
  });

  it('with deflate on both sides (threshold 0), every size echoes intact, compressed both ways', async () => {
    const { port } = await echoServer({ perMessageDeflate: { threshold: 0 } });
    const c = await client(port, { deflate: { threshold: 0 } });
    let n = 0;
    for (const size of SIZES) {
      c.act((e, now) => e.sendText(text(size), now));
      const t = await c.waitFor(isMessage, n++);
      expect(t.type === 'message' && [t.message.text === text(size), t.message.compressed]).toEqual([true, true]);
      c.act((e, now) => e.sendBinary(binary(size), now));
      const b = await c.waitFor(isMessage, n++);
      expect(b.type === 'message' && Buffer.from(b.message.data).equals(Buffer.from(binary(size)))).toBe(true);
    }
    const sent = c.events.flatMap((e) => (e.type === 'frame' && e.frame.dir === 'send' ? [e.frame] : []));
    expect(sent.every((f) => f.rsv1)).toBe(true);
  });

  it('accepts the no_context_takeover parameters a ws server imposes', async () => {
    const { port } = await echoServer({ perMessageDeflate: { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 0 } });
    const c = await client(port, { deflate: { threshold: 0 } });
    expect(c.engine.deflateParams).toMatchObject({ serverNoContextTakeover: true, clientNoContextTakeover: true });
    for (let i = 0; i < 3; i++) c.act((e, now) => e.sendText('hello hello hello', now));
    for (let i = 0; i < 3; i++) {
      const m = await c.waitFor(isMessage, i);
      expect(m.type === 'message' && [m.message.text, m.message.compressed]).toEqual(['hello hello hello', true]);
    }
    const sent = c.events.flatMap((e) => (e.type === 'frame' && e.frame.dir === 'send' ? [e.frame.payloadBytes] : []));
    // No context takeover: each copy compresses alone, so all three are the same size.
    expect(new Set(sent).size).toBe(1);
  });

  it('a heartbeat against ws keeps the connection open (ws answers pings)', async () => {
    const { port } = await echoServer();
    const c = await client(port, { heartbeatInterval: 30_000 });
    await c.waitFor((e) => e.type === 'pong', 2);
    expect(c.engine.state).toBe('OPEN');
  });
});

describe('permessage-deflate window sizes with ws', () => {
  it('a ws server that limits the client window to 10 bits: the engine compresses within it', async () => {
    const { port } = await echoServer({ perMessageDeflate: { clientMaxWindowBits: 10, serverMaxWindowBits: 11, threshold: 0 } });
    const c = await client(port, { deflate: { threshold: 0 } });
    expect(c.engine.extensions).toBe('permessage-deflate; client_max_window_bits=10; server_max_window_bits=11');
    expect(c.engine.deflateParams).toMatchObject({ clientMaxWindowBits: 10, serverMaxWindowBits: 11 });
    const payload = Array.from({ length: 3000 }, (_, i) => `k${i % 97}:${(i * 7919) % 1000};`).join('');
    c.act((e, now) => e.sendText(payload, now));
    const m = await c.waitFor(isMessage);
    expect(m.type === 'message' && m.message.text === payload).toBe(true);
  });

  it('the engine asks ws for a 9-bit server window', async () => {
    const { port } = await echoServer({ perMessageDeflate: { threshold: 0 } });
    const c = await client(port, { deflate: { serverMaxWindowBits: 9, threshold: 0 } });
    expect(c.engine.deflateParams).toMatchObject({ serverMaxWindowBits: 9 });
    const payload = 'abcdefghij'.repeat(5000);
    c.act((e, now) => e.sendText(payload, now));
    const m = await c.waitFor(isMessage);
    expect(m.type === 'message' && [m.message.text === payload, m.message.compressed]).toEqual([true, true]);
  });
});

describe('subprotocols and refusals with ws', () => {
  it('offers a subprotocol that the ws server picks', async () => {
    const { port } = await echoServer({ handleProtocols: (protocols: Set<string>) => (protocols.has('mqtt') ? 'mqtt' : false) });
    const c = await client(port, { protocols: ['mqtt'] });
    expect([c.engine.state, c.engine.protocol]).toEqual(['OPEN', 'mqtt']);
  });

  it('a ws server that refuses the upgrade (401): the client reports the status and closes with 1006', async () => {
    const { port } = await echoServer({ verifyClient: () => false });
    const c = await client(port);
    const failed = c.events.find((e) => e.type === 'handshake-failed');
    expect(failed).toMatchObject({ error: { code: 'HANDSHAKE_REFUSED', protocolCode: 401 } });
    expect(c.events.at(-1)).toMatchObject({ type: 'closed', code: 1006, wasClean: false });
  });
});
