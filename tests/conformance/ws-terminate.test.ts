/**
 * What `ws`'s terminate() does to TCP, on this machine's Linux: it is `socket.destroy()` (ws
 * lib/websocket.js, terminate), which closes the file descriptor (Node net.Socket#_destroy ->
 * handle.close(); only socket.resetAndDestroy() sends a RST on purpose), so the kernel's close(2)
 * rules decide (net/ipv4/tcp.c, __tcp_close): a FIN after whatever is queued, unless data the
 * application never read is still in the receive queue, which is thrown away with a RST
 * (TCPAbortOnClose); and data that arrives after the close is answered with a RST
 * (tcp_rcv_state_process, TCPAbortOnData). ws's close timeout and its handshake abort destroy the
 * socket the same way. The simulator's ws roles follow the first and last rules (its applications
 * read on arrival, so nothing is ever left unread).
 *
 * The peer is a raw TCP socket that does the opening handshake by hand, so that what reaches it
 * (a FIN: 'end'; a RST: ECONNRESET) is seen directly.
 */
import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';

let cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** A ws server and a raw client that has finished the opening handshake; `server` is ws's side of it. */
async function opened(): Promise<{ server: WebSocket; client: net.Socket; seen: { fin: boolean; reset: boolean; errors: string[]; closed: Promise<void> } }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  cleanup.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
  const serverSide = new Promise<WebSocket>((r) => wss.once('connection', (ws) => r(ws)));
  // allowHalfOpen: the client keeps its side open after the server's FIN, so it can still write.
  const client = net.connect({ port: (wss.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true });
  cleanup.push(() => { client.destroy(); });
  const seen = { fin: false, reset: false, errors: [] as string[], closed: new Promise<void>((r) => client.once('close', () => r())) };
  client.on('end', () => (seen.fin = true));
  client.on('error', (e: NodeJS.ErrnoException) => {
    seen.errors.push(e.code ?? e.message);
    seen.reset ||= e.code === 'ECONNRESET';
  });
  await new Promise<void>((r) => client.once('connect', () => r()));
  client.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await new Promise<void>((r) => client.once('data', () => r())); // the 101 response
  return { server: await serverSide, client, seen };
}

/** A masked binary frame from the client (RFC 6455 5.3), `n` payload bytes (n < 65536). */
function clientFrame(n: number): Buffer {
  const head = n < 126 ? Buffer.from([0x82, 0x80 | n]) : Buffer.from([0x82, 0x80 | 126, n >> 8, n & 0xff]);
  return Buffer.concat([head, Buffer.from([1, 2, 3, 4]), Buffer.alloc(n)]);
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ws has read a frame from the client, then its socket is closed by `how`; then the client writes twice. */
async function closeThenWrite(how: (server: WebSocket) => void) {
  const { server, client, seen } = await opened();
  const got = new Promise<void>((r) => server.once('message', () => r()));
  client.write(clientFrame(10));
  await got; // ws has read it: nothing is left unread
  how(server);
  await new Promise<void>((r) => (seen.fin ? r() : client.once('end', () => r())));
  const atFin = [seen.fin, seen.reset];
  // The client is in CLOSE_WAIT and may still send. If the server's kernel answers with a RST,
  // Linux sets EPIPE on the client's socket (tcp_reset in CLOSE_WAIT), which its next write reports.
  client.write(clientFrame(10));
  await tick(300);
  client.write(clientFrame(10));
  await tick(300);
  return { atFin, errors: seen.errors };
}

it('terminate() with nothing left unread: the peer gets a FIN, not a RST; what it sends afterwards is answered with a RST', async () => {
  const { atFin, errors } = await closeThenWrite((server) => server.terminate());
  expect(atFin).toEqual([true, false]);
  expect(errors).toEqual(['EPIPE']);
});

it('for contrast, shutdown(SHUT_WR) (socket.end()): the same FIN, and later data is accepted', async () => {
  const { atFin, errors } = await closeThenWrite((server) => (server as unknown as { _socket: net.Socket })._socket.end());
  expect(atFin).toEqual([true, false]);
  expect(errors).toEqual([]);
});

it('terminate() with data still unread in the kernel: a RST and no FIN (tcp_close: unread data is tossed)', async () => {
  const { server, client, seen } = await opened();
  // ws stops reading: Node reads ahead into its own buffer (its highWaterMark), the rest stays in the kernel.
  const socket = (server as unknown as { _socket: net.Socket })._socket;
  socket.pause();
  const frame = clientFrame(60_000);
  for (let i = 0; i < 20; i++) client.write(frame);
  // Wait (no duration assumed) until the client's 1.2 MB have all gone to its kernel and Node on the
  // server has read ahead what it will: on loopback the rest is then in the server's receive queue.
  while (client.writableLength > 0 || socket.readableLength === 0) await tick(10);
  server.terminate();
  await seen.closed;
  expect([seen.fin, seen.reset]).toEqual([false, true]);
});
