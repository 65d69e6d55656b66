/**
 * Chapter 7 against real `ws` on 127.0.0.1: the heartbeat pattern of ws's README ("How to detect
 * and close broken connections?": every interval, terminate() a client whose pong has not come
 * since the last ping, then ping the others), the engine's heartbeat doing the same to a real ws
 * client, and what each side reports: 1006 when no Close frame came, the codes and reasons of a
 * closing handshake, and 1005 for a Close frame without a code.
 *
 * A silent peer is made by pausing its socket: its kernel still ACKs, its application reads
 * nothing and so answers no ping, as a process frozen or cut off above TCP would. No test asserts
 * a duration; the simulator's tests (tests/widgets/course/alive.test.ts) assert the timings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { connectWsClient, startWsServer, type WsSocketAdapter } from '../../simulator/adapters/ws-socket.ts';

const INTERVAL_MS = 100;
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** A ws server running the README's heartbeat; resolves each connection's close (code, reason). */
async function heartbeatServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const alive = new WeakMap<WebSocket, boolean>();
  const closes: Promise<[number, string]>[] = [];
  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    closes.push(new Promise((r) => ws.on('close', (code, reason) => r([code, reason.toString()]))));
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, INTERVAL_MS);
  cleanup.push(() => new Promise<void>((r) => { clearInterval(timer); for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
  return { wss, closes, port: (wss.address() as AddressInfo).port };
}

async function engineClient(port: number): Promise<WsSocketAdapter> {
  const c = await connectWsClient(port);
  cleanup.push(() => c.destroy());
  await c.waitFor((e) => e.type === 'open');
  return c;
}

describe("ws's heartbeat pattern against the engine", () => {
  it('keeps an answering engine client open: the engine pongs every ping', async () => {
    const { port } = await heartbeatServer();
    const c = await engineClient(port);
    await c.waitFor((e) => e.type === 'ping', 3);
    expect(c.engine.state).toBe('OPEN');
    expect(c.events.filter((e) => e.type === 'frame' && e.frame.dir === 'send' && e.frame.opcode === 'pong').length).toBeGreaterThanOrEqual(4);
  });

  it('terminates a silent client: ws reports 1006 with no reason, and the client gets a FIN, not a reset', async () => {
    const { port, closes } = await heartbeatServer();
    const c = await engineClient(port);
    let fin = false;
    let reset = false;
    c.socket.on('end', () => (fin = true));
    c.socket.on('error', (e: NodeJS.ErrnoException) => (reset ||= e.code === 'ECONNRESET'));
    c.socket.pause();
    expect(await closes[0]).toEqual([1006, '']);
    c.socket.resume();
    const closed = await c.waitFor((e) => e.type === 'closed');
    // The engine saw the TCP connection end without a Close frame: 1006, as ws and browsers report it.
    expect(closed).toMatchObject({ code: 1006, wasClean: false });
    expect(c.events.some((e) => e.type === 'close-received')).toBe(false);
    // terminate() is socket.destroy(), i.e. close(2): a FIN when nothing is left unread, as the
    // simulator's roles do (tests/conformance/ws-terminate.test.ts has the rest of close(2)'s rules).
    expect([fin, reset]).toEqual([true, false]);
  });
});

describe("the engine's heartbeat against a real ws client", () => {
  it('terminates a silent ws client; ws reports 1006 and never saw a Close frame', async () => {
    const server = await startWsServer({ heartbeatInterval: INTERVAL_MS * 1000 });
    cleanup.push(() => server.close());
    const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    cleanup.push(() => client.terminate());
    await new Promise<void>((r) => client.once('open', () => r()));
    const closed = new Promise<[number, string]>((r) => client.on('close', (code, reason) => r([code, reason.toString()])));
    const a = await server.connection(0);
    (client as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const error = await a.waitFor((e) => e.type === 'error');
    expect(error.type === 'error' && error.error.code).toBe('PONG_TIMEOUT');
    expect(await a.waitFor((e) => e.type === 'closed')).toMatchObject({ code: 1006, wasClean: false });
    (client as unknown as { _socket: import('node:net').Socket })._socket.resume();
    expect(await closed).toEqual([1006, '']);
  });
});

describe('close codes both ways', () => {
  it('a code and reason from ws arrive as sent; a Close frame without a code is reported as 1005', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    cleanup.push(() => new Promise<void>((r) => wss.close(() => r())));
    const peers: WebSocket[] = [];
    wss.on('connection', (ws) => peers.push(ws));
    const port = (wss.address() as AddressInfo).port;
    const a = await engineClient(port);
    peers[0]!.close(1011, 'internal error');
    expect(await a.waitFor((e) => e.type === 'closed')).toEqual({ type: 'closed', code: 1011, reason: 'internal error', wasClean: true, tcp: 'end' });
    const b = await engineClient(port);
    peers[1]!.close();
    expect(await b.waitFor((e) => e.type === 'closed')).toMatchObject({ code: 1005, reason: '', wasClean: true });
  });

  it('1006 may not be sent: ws and the engine both refuse it', async () => {
    const { port } = await heartbeatServer();
    const c = await engineClient(port);
    expect(() => c.act((e, now) => e.close(1006, '', now))).toThrow(/1006/);
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    cleanup.push(() => client.terminate());
    await new Promise<void>((r) => client.once('open', () => r()));
    expect(() => client.close(1006)).toThrow(/valid error code/);
  });
});
