/** A `ws` echo server: each message goes back to its sender. argv[2]: {"host","port","tls"?: {"cert","key"}}. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { WebSocketServer } from 'ws';
import { emit } from './emit.ts';

const cfg = JSON.parse(process.argv[2] ?? '{}') as { host: string; port: number; tls?: { cert: string; key: string } };
const onConnection = (ws: import('ws').WebSocket) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
};
if (cfg.tls) {
  const server = createServer({ cert: readFileSync(cfg.tls.cert), key: readFileSync(cfg.tls.key) });
  new WebSocketServer({ server }).on('connection', onConnection);
  server.listen(cfg.port, cfg.host, () => emit('listening'));
} else {
  new WebSocketServer({ host: cfg.host, port: cfg.port }, () => emit('listening')).on('connection', onConnection);
}
process.on('SIGTERM', () => process.exit(0));
