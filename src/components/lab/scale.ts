/**
 * The Lab's scenarios at scale: 10,000 nodes, made on the page when chosen rather than kept as
 * files (each would be about 800 KB of JSON, and the golden tests run every file in
 * scenarios/examples/). 10,000 is the schema's node cap (simulator/scenarios/limits.ts), so a
 * broker and one publisher leave room for 9,998 subscribers; the fleet mirrors `npm run bench`'s
 * (bench/fleet.ts): 9,998 sensors, the broker and one dashboard.
 *
 * Both are short by default (3 s simulated: every client connects and subscribes in the first
 * 100 ms or so, then two rounds of messages): 10,000 clients are about 650 MB of simulator state
 * in the worker, and a run of 3 s took 8 s in Node on this project's 2-core machine (December
 * 2026). A longer one is the Duration field away; the Lab asks before starting a run this big.
 */
export interface ScalePreset {
  id: string;
  title: string;
  /** The scenario, made when the reader picks it. */
  make(): ScaleScenario;
}

export interface ScaleScenario {
  schema: 'wirelab/scenario@1';
  title: string;
  description: string;
  seed: number;
  durationS: number;
  defaults: { link: { latencyMs: number; jitterMs: number; lossPct: number; bandwidthKbps: number } };
  nodes: Record<string, unknown>[];
}

/** Nodes in each scale scenario: the schema's cap. */
export const SCALE_NODES = 10_000;
const CLIENTS = SCALE_NODES - 2;

// The broker as in bench/fleet.ts, a data-centre host: 1 Gbit/s and a 20,000-packet queue, as
// 10,000 copies of each publish leave it at once (a 10 Mbit/s access link would queue them for
// seconds and its default 1,000-packet queue would drop most).
const BROKER = { id: 'broker', role: 'mqtt-broker', link: { bandwidthKbps: 1_000_000, queuePackets: 20_000 } };
const LINK = { latencyMs: 20, jitterMs: 2, lossPct: 0, bandwidthKbps: 10_000 };

/** One publisher, `subscribers` subscribers to its topic: every publish becomes `subscribers` deliveries. */
export function fanOutScenario(subscribers = CLIENTS, durationS = 3): ScaleScenario {
  const nodes: Record<string, unknown>[] = [BROKER, { id: 'publisher', role: 'mqtt-client', publish: [{ topic: 'news/all', qos: 0, payloadBytes: 20, everyMs: 1000, startS: 1 }] }];
  for (let i = 0; i < subscribers; i++) nodes.push({ id: `sub-${i}`, role: 'mqtt-client', subscribe: [{ topic: 'news/#', qos: 0 }] });
  return {
    schema: 'wirelab/scenario@1',
    title: `Fan-out: 1 publisher to ${subscribers.toLocaleString('en-US')} subscribers`,
    description:
      `One MQTT publisher sends a 20-byte message once a second from t = 1 s; the broker copies each to ${subscribers.toLocaleString('en-US')} subscribers ` +
      '(QoS 0). Each publish is one packet from the publisher and one per subscriber from the broker.',
    seed: 1,
    durationS,
    defaults: { link: { ...LINK } },
    nodes,
  };
}

/** `sensors` sensors each publishing once a second (QoS 1), one dashboard subscribed to them all (QoS 0). */
export function fleetScenario(sensors = CLIENTS, durationS = 3): ScaleScenario {
  const nodes: Record<string, unknown>[] = [BROKER];
  // Starts spread over the first second, as a real fleet's clocks are.
  for (let i = 0; i < sensors; i++) nodes.push({ id: `sensor-${i}`, role: 'mqtt-client', publish: [{ topic: `sensors/${i}`, qos: 1, payloadBytes: 20, everyMs: 1000, startS: (i % 1000) / 1000 }] });
  nodes.push({ id: 'dash', role: 'mqtt-client', subscribe: [{ topic: 'sensors/#', qos: 0 }] });
  return {
    schema: 'wirelab/scenario@1',
    title: `Fleet: ${sensors.toLocaleString('en-US')} sensors to one dashboard`,
    description:
      `${sensors.toLocaleString('en-US')} MQTT sensors each publish 20 bytes once a second at QoS 1; one dashboard subscribes to sensors/# at QoS 0 ` +
      '(a live view: a QoS 1 dashboard cannot take 10,000 messages a second through the broker\'s 20 in flight). ' +
      'The sensors start publishing in the first second while the dashboard is still connecting: the broker hands a message to the ' +
      'subscriptions it has when the message arrives and keeps nothing for later ones (no retained messages here), so the readings ' +
      'it routes before the dashboard\'s SUBSCRIBE reach no one. That is correct MQTT; the run counts them as lost, ' +
      'reason sent-before-subscription (the summary gives the count).',
    seed: 1,
    durationS,
    defaults: { link: { ...LINK } },
    nodes,
  };
}

export const SCALE_PRESETS: readonly ScalePreset[] = [
  { id: 'scale-fanout', title: 'At scale: 1 publisher to 9,998 subscribers (10,000 nodes)', make: () => fanOutScenario() },
  { id: 'scale-fleet', title: 'At scale: 9,998 sensors to 1 dashboard (10,000 nodes)', make: () => fleetScenario() },
];

/** Past this many nodes the Lab does not put the scenario in its text editor (a text box of 1.6 MB took 9 s to lay out in Chromium). */
export const EDITABLE_NODES = 500;
