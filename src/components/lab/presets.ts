/** The example scenarios in scenarios/examples/, offered by the Lab as starting points. */
const files = import.meta.glob<unknown>('../../../scenarios/examples/*.json', { eager: true, import: 'default' });

export interface Preset {
  /** File name without `.json` ("tcp-small"). */
  id: string;
  title: string;
  scenario: unknown;
}

export const PRESETS: Preset[] = Object.entries(files)
  .map(([path, scenario]) => {
    const id = path.replace(/^.*\//, '').replace(/\.json$/, '');
    const title = typeof (scenario as { title?: unknown }).title === 'string' ? (scenario as { title: string }).title : id;
    return { id, title, scenario };
  })
  .sort((a, b) => a.id.localeCompare(b.id));

/** The preset the Lab opens with: small and quick, so the first run is instant. */
export const DEFAULT_PRESET_ID = 'tcp-small';

/**
 * The scenario library (content/docs/scenarios.mdx): named presets of common systems, each a file
 * in scenarios/examples/, with the question it answers and where its parameters come from (a
 * cited figure or an assumption said as one). tests/scenarios/library.test.ts runs every one.
 */
export interface LibraryEntry {
  /** The preset's id: its file name in scenarios/examples/ without `.json`. */
  id: string;
  name: string;
  /** The question the scenario answers. */
  question: string;
  /** What to look at in the Lab to answer it. */
  lookAt: string;
  /** Where the parameters come from. */
  basis: string;
}

export const LIBRARY: readonly LibraryEntry[] = [
  {
    id: 'chat-room',
    name: 'Chat room',
    question: 'What does one chat line cost when the server relays it to everyone else in the room, and how long does it take to reach them?',
    lookAt: 'The flows table: each member\'s flow into the server, and the server\'s five flows out per line; their wire bytes against the 120 bytes of the line.',
    basis: 'Six members, a 120-byte JSON line from each every 6 s (assumed: a lively room, a line a second in all), 40 ms links. The server relays as a chat server built on ws does (ws rooms), with TCP_NODELAY as the ws library sets it.',
  },
  {
    id: 'live-dashboard',
    name: 'Live dashboard',
    question: 'What does each update cost per dashboard, and how much later does a browser (MQTT over WebSocket) get it than a native subscriber (MQTT over TCP)?',
    lookAt: 'The flows table: latency and wire bytes of the three browser flows against the native one.',
    basis: 'A 400-byte metrics snapshot once a second at QoS 0 (assumed: a live view; dashboards commonly refresh every 1 to 10 s), 30 ms links. Browsers must use MQTT over WebSocket; the native service uses TCP with Nagle on, as mqtt.js does.',
  },
  {
    id: 'game-tick',
    name: 'Multiplayer game tick',
    question: 'What does one lost packet do to a 20 Hz tick stream over TCP, and what bandwidth does each player use?',
    lookAt: 'The 99th percentile and the maximum latency beside the median, and the retransmissions: with 1 % loss, later ticks wait behind a lost one (head-of-line blocking).',
    basis: 'Four players, a 40-byte input every 50 ms: a 20 Hz tick, the low end of the 20 to 60 Hz tick rates action games use. 30 ms links with 1 % random loss each way (assumed: home Wi-Fi and a busy path).',
  },
  {
    id: 'sensor-fleet',
    name: 'Sensor fleet',
    question: 'What does a fleet of battery sensors cost the radio links and the broker per minute, how much of it is headers, ACKs and keepalive, and how late do readings arrive?',
    lookAt: 'The wire bytes per flow against the 100 bytes of readings it carried, the latency (the radio link\'s 1.6 s round trip), and the SYN retransmissions the slow link causes.',
    basis: 'Forty sensors on NB-IoT links as chapter 9 models them (20 kbit/s and 800 ms each way: typical, not guaranteed; GSMA NB-IoT Deployment Guide), a 20-byte reading a minute at QoS 1, mqtt.js\'s 60 s keepalive.',
  },
  {
    id: 'smart-home',
    name: 'Smart home',
    question: 'A phone leaves the house and loses coverage for 25 s: which updates reach it when it comes back, how late, and what would a clean session or QoS 0 have lost?',
    lookAt: 'The messages table sorted by latency: the updates queued by the broker while the phone was away arrive together after it reconnects.',
    basis: 'Four devices on Wi-Fi (5 ms) publishing every 10 to 30 s at QoS 1 (assumed); a phone app on mobile data (60 ms) subscribing over MQTT over WebSocket with a kept session and a 10 s keepalive. Change cleanSession or the QoS in the editor to compare.',
  },
  {
    id: 'vehicle-tracking',
    name: 'Vehicle tracking',
    question: 'What happens to the GPS positions a truck sends while it is in a tunnel, how late do they arrive, and in what order?',
    lookAt: 'Each truck\'s flow: the 95th percentile is the tunnel; the messages table shows the positions sent during it arriving after the reconnect.',
    basis: 'Eight trucks on LTE (50 ms each way, 1 % loss; assumed), a 60-byte position every 5 s (assumed: fleet trackers report every few seconds to a minute) at QoS 1 with kept sessions and a 20 s keepalive; each loses coverage for 30 s once, at a different time.',
  },
];

/** The library entry's scenario (its preset), or an error naming the missing file. */
export function libraryScenario(id: string): unknown {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`the scenario library names "${id}", which is not a file in scenarios/examples/`);
  return preset.scenario;
}
