/**
 * mqtt.js subscriber: logs every message (sequence number, DUP flag) and connection event.
 * argv[2]: {"url","clientId","topic","qos","version","clean","keepalive","nodelay"}.
 */
import mqtt from 'mqtt';
import { emit, seqOf } from './emit.ts';

const cfg = JSON.parse(process.argv[2] ?? '{}') as { url: string; clientId: string; topic: string; qos: 0 | 1 | 2; version: 4 | 5; clean: boolean; keepalive: number; nodelay: boolean };
const client = mqtt.connect(cfg.url, { clientId: cfg.clientId, protocolVersion: cfg.version, clean: cfg.clean, keepalive: cfg.keepalive, rejectUnauthorized: false, ...(cfg.version === 5 && !cfg.clean ? { properties: { sessionExpiryInterval: 3600 } } : {}) });
const nodelay = () => {
  if (cfg.nodelay) (client.stream as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
};
process.nextTick(nodelay);
let subscribed = false;
client.on('connect', () => {
  emit('connect');
  nodelay();
  if (!subscribed) client.subscribe(cfg.topic, { qos: cfg.qos }, () => { subscribed = true; emit('subscribed'); });
});
client.on('message', (_topic, data, packet) => emit('msg', { seq: seqOf(data), dup: packet.dup === true, topic: _topic }));
client.on('close', () => emit('close'));
client.on('offline', () => emit('offline'));
client.on('reconnect', () => { emit('reconnect'); process.nextTick(nodelay); });
client.on('packetsend', (p) => { if (p.cmd === 'pingreq') emit('pingreq'); });
client.on('error', (e) => emit('error', { message: e.message }));
process.on('SIGTERM', () => { client.end(true); process.exit(0); });
