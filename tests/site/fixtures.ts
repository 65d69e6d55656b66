import type { TraceRecord } from '../../simulator/core/trace.ts';

/** A small valid scenario: one broker, one publisher. */
export const scenario = {
  schema: 'wirelab/scenario@1',
  seed: 7,
  durationS: 2,
  defaults: { link: { latencyMs: 20, lossPct: 5 } },
  nodes: [
    { id: 'broker', role: 'mqtt-broker' },
    { id: 'sensor', role: 'mqtt-client', publish: [{ topic: 'home/temp', qos: 1, payloadBytes: 10, everyMs: 500 }] },
    { id: 'dash', role: 'mqtt-client', subscribe: [{ topic: 'home/#', qos: 1 }] },
  ],
};

/** A hand-written trace: three messages (delivered twice, lost, still in flight) and three packets. */
export const trace: TraceRecord[] = [
  { t: 0, kind: 'flow', flow: 'f1', protocol: 'mqtt', from: 'sensor', to: 'dash', topic: 'home/temp', qos: 1 },
  { t: 1000, kind: 'app-send', flow: 'f1', msg: 1, bytes: 10 },
  { t: 1500, kind: 'link-send', link: 'sensor->core', packet: 0, bytes: 66, conn: 'sensor:40000-broker:1883' },
  { t: 1600, kind: 'link-send', link: 'sensor->core', packet: 1, bytes: 52, conn: 'sensor:40000-broker:1883' },
  { t: 2000, kind: 'app-send', flow: 'f1', msg: 2, bytes: 12 },
  { t: 21_500, kind: 'link-receive', link: 'sensor->core', packet: 0, bytes: 66, conn: 'sensor:40000-broker:1883' },
  { t: 21_600, kind: 'link-drop', link: 'sensor->core', packet: 1, bytes: 52, reason: 'loss', conn: 'sensor:40000-broker:1883' },
  { t: 42_250, kind: 'app-deliver', flow: 'f1', msg: 1, bytes: 10 },
  { t: 50_000, kind: 'app-deliver', flow: 'f1', msg: 1, bytes: 10, duplicate: true },
  { t: 60_000, kind: 'link-send', link: 'broker->core', packet: 0, bytes: 40, conn: 'dash:40001-broker:1883' },
  { t: 70_000, kind: 'app-send', flow: 'f1', msg: 3, bytes: 14 },
  { t: 90_000, kind: 'app-lost', flow: 'f1', msg: 2, reason: 'connection-reset' },
];
