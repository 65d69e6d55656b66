/**
 * A `ws` client: connects, sends `count` messages of `payloadBytes` every `everyMs`, and logs the
 * send and the echo of each (monotonic clock). argv[2]: {"url","count","payloadBytes","everyMs","deadlineMs"}.
 */
import WebSocket from 'ws';
import { emit, payload, seqOf } from './emit.ts';

const cfg = JSON.parse(process.argv[2] ?? '{}') as { url: string; count: number; payloadBytes: number; everyMs: number; deadlineMs: number };
emit('connect-start');
const ws = new WebSocket(cfg.url, { rejectUnauthorized: false });
let echoed = 0;
const finish = () => {
  emit('done', { echoed });
  ws.terminate();
  process.exit(0);
};
setTimeout(finish, cfg.deadlineMs);
ws.on('open', () => {
  emit('open');
  let seq = 0;
  const tick = () => {
    emit('send', { seq });
    ws.send(payload(seq, cfg.payloadBytes));
    if (++seq < cfg.count) setTimeout(tick, cfg.everyMs);
  };
  tick();
});
ws.on('message', (data) => {
  emit('recv', { seq: seqOf(data as Buffer) });
  if (++echoed === cfg.count) finish();
});
ws.on('close', (code) => emit('close', { code }));
ws.on('error', (e) => emit('error', { message: e.message }));
