/**
 * mqtt.js publishers (one or several clients in this process): each publishes `count` messages of
 * `payloadBytes` every `everyMs` to its topic, logging each publish and its completion.
 * argv[2]: {"url","clients","topicPrefix","qos","version","clean","keepalive","nodelay","count",
 *           "payloadBytes","everyMs","staggerMs","deadlineMs"}.
 */
import mqtt from 'mqtt';
import { emit, payload } from './emit.ts';

const cfg = JSON.parse(process.argv[2] ?? '{}') as {
  url: string; clients: number; topicPrefix: string; qos: 0 | 1 | 2; version: 4 | 5; clean: boolean; keepalive: number; nodelay: boolean;
  count: number; payloadBytes: number; everyMs: number; staggerMs: number; deadlineMs: number;
};
let finished = 0;
const clients: mqtt.MqttClient[] = [];
const finishAll = () => {
  emit('done');
  for (const c of clients) c.end(true);
  process.exit(0);
};
setTimeout(finishAll, cfg.deadlineMs);
emit('connect-start');
for (let i = 0; i < cfg.clients; i++) {
  const id = cfg.clients === 1 ? 'pub' : `pub-${i}`;
  const topic = cfg.clients === 1 ? cfg.topicPrefix : `${cfg.topicPrefix}/${i}`;
  const client = mqtt.connect(cfg.url, { clientId: id, protocolVersion: cfg.version, clean: cfg.clean, keepalive: cfg.keepalive, rejectUnauthorized: false, ...(cfg.version === 5 && !cfg.clean ? { properties: { sessionExpiryInterval: 3600 } } : {}) });
  clients.push(client);
  const nodelay = () => {
    if (cfg.nodelay) (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  };
  process.nextTick(nodelay);
  let started = false;
  let acked = 0;
  client.on('connect', () => {
    emit('connect', { client: i });
    nodelay();
    if (started) return;
    started = true;
    let seq = 0;
    const tick = () => {
      const s = seq++;
      emit('pub', { client: i, seq: s });
      client.publish(topic, payload(s, cfg.payloadBytes), { qos: cfg.qos }, () => {
        emit('ack', { client: i, seq: s });
        if (++acked === cfg.count && ++finished === cfg.clients) setTimeout(finishAll, 200);
      });
      if (seq < cfg.count) setTimeout(tick, cfg.everyMs);
    };
    setTimeout(tick, i * cfg.staggerMs);
  });
  client.on('close', () => emit('close', { client: i }));
  client.on('offline', () => emit('offline', { client: i }));
  client.on('reconnect', () => { emit('reconnect', { client: i }); process.nextTick(nodelay); });
  client.on('packetsend', (p) => {
    if (p.cmd === 'pingreq') emit('pingreq', { client: i });
    // Every QoS 1/2 PUBLISH written, with its packet id: one written again after a reconnect is a resend.
    if (p.cmd === 'publish' && p.qos > 0) emit('publish-sent', { client: i, mid: p.messageId, dup: p.dup === true });
  });
  client.on('error', (e) => emit('error', { client: i, message: e.message }));
}
process.on('SIGTERM', finishAll);
