/**
 * The runs chapter 9's prose and questions describe, each computed once per build (the simulator
 * is deterministic, so these are the figures the widget shows for the same settings).
 */
import { once } from './module.ts';
import { courseConstrained } from './constrainedRun.ts';
import type { ConstrainedInput, ConstrainedResult, ProtocolCost, ProtocolId } from './constrainedTypes.ts';

/** The widget's start: NB-IoT, a 20-byte reading every 5 minutes, no TLS, a 10 s tail, mqtt.js's keepalive. */
export const CONSTRAINED_DEFAULTS: ConstrainedInput = {
  link: 'nbiot',
  everyS: 300,
  payloadBytes: 20,
  tls: false,
  tailS: 10,
  keepaliveS: 60,
  wsHeartbeatS: 0,
  seed: 1,
};

const at = (change: Partial<ConstrainedInput>) => once(() => courseConstrained({ ...CONSTRAINED_DEFAULTS, ...change }));

export const CONSTRAINED_RUNS = {
  defaults: at({}),
  /** The keepalive as long as two readings: the pings stop. */
  longKeepalive: at({ keepaliveS: 600 }),
  /** A WebSocket application that pings every 60 s, as MQTT's keepalive does. */
  wsHeartbeat: at({ wsHeartbeatS: 60 }),
  /** A short inactivity timer and no keepalive: what is left is airtime and round trips. */
  shortTail: at({ tailS: 2, keepaliveS: 0 }),
  shortTailGeo: at({ tailS: 2, keepaliveS: 0, link: 'geo' }),
  tls: at({ tls: true }),
  /** One reading a minute, to compare with the defaults' one every 5 minutes. */
  everyMinute: at({ everyS: 60 }),
  /** The fast end: LTE-M, where the broker's extra hop can be seen at all. */
  ltem: at({ link: 'ltem' }),
  geo: at({ link: 'geo' }),
  csd96: at({ link: 'csd96' }),
  csd96Tls: at({ link: 'csd96', tls: true }),
} as const;

export function cost(run: ConstrainedResult, id: ProtocolId): ProtocolCost {
  const p = run.protocols.find((x) => x.id === id);
  if (!p) throw new Error(`no protocol ${id} in the run`);
  return p;
}
