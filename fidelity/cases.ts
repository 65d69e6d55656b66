/**
 * The fidelity grid: each case is one experiment run on the real testbed (fidelity/testbed) and,
 * as a scenario, in the simulator. Pure: no IO, so the grid and the scenarios are unit-tested.
 *
 * Topology on both sides: clients in namespace a, servers (broker, ws echo server, tcp sink) in
 * namespace b, one emulated link between them. In the simulator each node has its own access
 * link to an instantaneous core, so the whole impairment sits on the server's access link (both
 * directions) and the clients' links are perfect: every packet then crosses exactly one impaired
 * hop, as on the testbed.
 */

export interface LinkSpec {
  delayMs: number;
  lossPct: number;
  rateKbps: number;
  queuePackets: number;
  outage?: { atS: number; forS: number };
}

export type CaseKind = 'ws-echo' | 'mqtt' | 'mqtt-outage' | 'bulk' | 'dashboard' | 'connect' | 'probe';

/**
 * Probes check one library behaviour from the link's packet log or the peers' events:
 * qos2-acks: the sizes of mqtt.js's PUBREC, PUBREL and PUBCOMP (one QoS 2 message, `version`);
 * publish-bytes: IP bytes per 100-byte QoS 0 PUBLISH from mqtt.js in Node, over TCP or WebSocket;
 * keepalive: PINGREQs an mqtt.js publisher at 20 msg/s sends with keepalive 2 s in 5 s.
 */
export type Probe = 'qos2-acks' | 'publish-bytes' | 'keepalive';

export interface FidelityCase {
  id: string;
  kind: CaseKind;
  link: LinkSpec;
  /** ws-echo, mqtt: the message schedule (mqtt: one publisher; dashboard: each sensor). */
  count: number;
  everyMs: number;
  payloadBytes: number;
  qos: 0 | 1 | 2;
  /** TCP_NODELAY at every MQTT end (mqtt.js setNoDelay, mosquitto set_tcp_nodelay true). */
  nodelay: boolean;
  /** MQTT protocol level: 4 (3.1.1) or 5. */
  version: 4 | 5;
  keepaliveS: number;
  clean: boolean;
  /** Which mosquitto: Debian 12's package or the one built from Debian 13's source. */
  broker: '2.0.11' | '2.0.21';
  /** dashboard: publishers (sensors), each on its own topic, all to one subscriber. */
  publishers: number;
  /** bulk: bytes transferred. */
  bulkBytes: number;
  /** connect: what connects (TLS 1.3 for mqtts and wss). */
  connectOver?: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  probe?: Probe;
  /** mqtt.js's transport (probe publish-bytes). */
  transport: 'tcp' | 'websocket';
  /** When the first message is sent on the simulator's clock, seconds (the real side starts on connect). */
  startS: number;
}

export const BASE_LINK: LinkSpec = { delayMs: 25, lossPct: 0, rateKbps: 10_000, queuePackets: 1000 };

const base: Omit<FidelityCase, 'id' | 'kind'> = {
  link: BASE_LINK,
  count: 60,
  everyMs: 50,
  payloadBytes: 100,
  qos: 0,
  nodelay: false,
  version: 4,
  keepaliveS: 60,
  clean: true,
  broker: '2.0.11',
  publishers: 1,
  bulkBytes: 0,
  transport: 'tcp',
  startS: 1,
};

const make = (id: string, kind: CaseKind, over: Partial<FidelityCase> = {}): FidelityCase => ({ ...base, ...over, id, kind, link: { ...BASE_LINK, ...over.link } });

export const LOSSES = [0, 1, 5, 10, 20] as const;

/**
 * The grid. `quick` is a subset that still touches every kind of case (about 5 minutes at 3 runs
 * on a quiet 2-core machine); the full grid adds the loss sweeps, the TCP_NODELAY variants,
 * mosquitto 2.0.11's dashboard and the plain connects.
 */
export function fidelityGrid(scope: 'quick' | 'full'): FidelityCase[] {
  const full = scope === 'full';
  const losses = full ? LOSSES : ([0, 5] as const);
  // quick: loss 5 % for QoS 1 only.
  const mqttLosses = (qos: number) => (full ? LOSSES : qos === 1 ? ([0, 5] as const) : ([0] as const));
  const out: FidelityCase[] = [];
  for (const loss of losses) out.push(make(`ws-echo loss ${loss}%`, 'ws-echo', { link: { ...BASE_LINK, lossPct: loss } }));
  for (const qos of [0, 1, 2] as const) {
    for (const loss of mqttLosses(qos)) out.push(make(`mqtt qos${qos} defaults loss ${loss}%`, 'mqtt', { qos, link: { ...BASE_LINK, lossPct: loss } }));
    if (full || qos === 1) out.push(make(`mqtt qos${qos} nodelay loss 0%`, 'mqtt', { qos, nodelay: true }));
  }
  // QoS 2 under MQTT 3.1.1 at 20 % loss: mosquitto's 20-awaiting-PUBREL limit (issue 14).
  if (!full) out.push(make('mqtt qos2 defaults loss 20%', 'mqtt', { qos: 2, link: { ...BASE_LINK, lossPct: 20 } }));
  out.push(
    make('mqtt qos1 outage 10s keepalive 10s', 'mqtt-outage', {
      qos: 1,
      clean: false,
      keepaliveS: 10,
      count: 125,
      everyMs: 200,
      link: { ...BASE_LINK, outage: { atS: 10, forS: 10 } },
    }),
  );
  out.push(make('tcp bulk 1 MB', 'bulk', { bulkBytes: 1_000_000, link: { ...BASE_LINK, queuePackets: 100 } }));
  if (full) out.push(make('tcp bulk 1 MB loss 1%', 'bulk', { bulkBytes: 1_000_000, link: { ...BASE_LINK, queuePackets: 100, lossPct: 1 } }));
  for (const broker of full ? (['2.0.11', '2.0.21'] as const) : (['2.0.21'] as const))
    out.push(
      make(`mqtt qos1 dashboard 40x10/s mosquitto ${broker}`, 'dashboard', {
        qos: 1,
        broker,
        publishers: 40,
        count: 60,
        everyMs: 100,
        payloadBytes: 20,
        link: { ...BASE_LINK, delayMs: 40 },
      }),
    );
  for (const over of full ? (['mqtt', 'mqtts', 'ws', 'wss'] as const) : (['mqtts', 'wss'] as const)) out.push(make(`connect ${over}`, 'connect', { connectOver: over, count: 1 }));
  // mosquitto's Nagle holds its CONNACK behind OpenSSL's session tickets until they are ACKed: set_tcp_nodelay shows it.
  out.push(make('connect mqtts nodelay', 'connect', { connectOver: 'mqtts', nodelay: true, count: 1 }));
  for (const version of [4, 5] as const)
    out.push(make(`probe mqtt ${version === 5 ? '5' : '3.1.1'} qos2 ack sizes`, 'probe', { probe: 'qos2-acks', qos: 2, version, count: 1, broker: '2.0.21' }));
  for (const transport of ['tcp', 'websocket'] as const)
    out.push(make(`probe publish bytes over ${transport}`, 'probe', { probe: 'publish-bytes', transport, count: 10, everyMs: 200, broker: '2.0.21' }));
  for (const qos of [0, 1] as const)
    out.push(make(`probe keepalive 2s qos${qos} 20/s`, 'probe', { probe: 'keepalive', qos, keepaliveS: 2, count: 100, everyMs: 50 }));
  return out;
}

/** The metrics a case reports (the same names on the real and the simulated side). */
export function caseMetrics(c: Pick<FidelityCase, 'kind' | 'probe'>): string[] {
  switch (c.kind) {
    case 'ws-echo':
      return ['echo p50 ms', 'echo p95 ms', 'wire bytes', 'retransmits'];
    case 'mqtt':
      return ['latency p50 ms', 'latency p95 ms', 'lost', 'wire bytes', 'retransmits'];
    case 'mqtt-outage':
      return ['lost', 'duplicates', 'dup flags seen', 'resent', 'resent with DUP', 'resend span ms', 'latency p50 before ms', 'latency max ms', 'latency p50 after ms', 'publisher noticed s', 'subscriber noticed s'];
    case 'bulk':
      return ['completion s', 'retransmits'];
    case 'dashboard':
      return ['delivered per s', 'latency p50 ms'];
    case 'connect':
      return ['first message ms', 'first message RTTs'];
    case 'probe':
      if (c.probe === 'qos2-acks') return ['PUBREC bytes (mqtt.js)', 'PUBREL bytes (mqtt.js)', 'PUBCOMP bytes (mqtt.js)'];
      if (c.probe === 'publish-bytes') return ['IP bytes per PUBLISH'];
      return ['PINGREQs'];
  }
}
