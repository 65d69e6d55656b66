/** A bulk sender (iperf -c): connects, writes `bytes` in one call, closes. argv[2]: {"host","port","bytes"}. */
import { connect } from 'node:net';
import { emit } from './emit.ts';

const cfg = JSON.parse(process.argv[2] ?? '{}') as { host: string; port: number; bytes: number };
const sock = connect(cfg.port, cfg.host, () => {
  emit('connect');
  sock.end(Buffer.alloc(cfg.bytes));
});
sock.on('close', () => { emit('closed'); process.exit(0); });
sock.on('error', (e) => emit('error', { message: e.message }));
