/** A TCP sink (iperf -s): counts the bytes of each connection, logs when `bytes` have arrived. argv[2]: {"host","port","bytes"}. */
import { createServer } from 'node:net';
import { emit } from './emit.ts';

const cfg = JSON.parse(process.argv[2] ?? '{}') as { host: string; port: number; bytes: number };
createServer((sock) => {
  let got = 0;
  sock.on('data', (d) => {
    got += d.length;
    if (got >= cfg.bytes && got - d.length < cfg.bytes) emit('received-all', { bytes: got });
  });
  sock.on('error', () => {});
}).listen(cfg.port, cfg.host, () => emit('listening'));
process.on('SIGTERM', () => process.exit(0));
