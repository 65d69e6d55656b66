/**
 * Runs one fidelity case on the real testbed: a fresh link (namespaces + forwarder) per run, the
 * real peers on either side, then the metrics of ../real-metrics.ts. Everything started here is
 * stopped by pid and the namespaces are deleted before it returns, whatever happened.
 */
import { readFileSync } from 'node:fs';
import { clientPorts, lastConnectAt, type Packet, parseCapture, payloads } from '../capture.ts';
import type { FidelityCase } from '../cases.ts';
import { bulkMetrics, connectMetrics, dashboardMetrics, echoMetrics, mqttMetrics, outageMetrics, type Ev } from '../real-metrics.ts';
import type { RunMetrics } from '../table.ts';
import { ADDR_B, Link, monoUs } from './link.ts';
import { brokerReady, type Peer, startMosquitto, startPeer } from './peers.ts';

export interface Env {
  fwdBin: string;
  workDir: string;
  congestion: string;
  mosquitto: Record<FidelityCase['broker'], string>;
  tls: { cert: string; key: string };
}

export interface RealRun {
  metrics: RunMetrics;
  /** What else a run showed (broker log counts, pings, congestion control read back). */
  notes: Record<string, number | string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const evs = (p: Peer) => p.events as Ev[];

async function wire(link: Link): Promise<{ inBytes: number; retransmits: number; counters: Awaited<ReturnType<Link['counters']>> }> {
  const counters = await link.counters();
  const retrans = (side: 'a' | 'b') => link.nstat(side).TcpRetransSegs ?? 0;
  return { inBytes: counters.ab.inBytes + counters.ba.inBytes, retransmits: retrans('a') + retrans('b'), counters };
}

/** Waits until `done()` holds or nothing changed in `idleMs`, at most `maxMs`. */
async function settle(done: () => boolean, progress: () => number, idleMs: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  let last = progress();
  let lastChange = Date.now();
  while (!done() && Date.now() < end && Date.now() - lastChange < idleMs) {
    await sleep(50);
    const p = progress();
    if (p !== last) (last = p), (lastChange = Date.now());
  }
}

/** A probe's metrics come from the packet log, read once the forwarder has stopped and flushed it. */
type Outcome = RunMetrics | ((capture: Packet[]) => RunMetrics);

export async function runReal(c: FidelityCase, env: Env, seed: number): Promise<RealRun> {
  // FIDELITY_CAPTURE=DIR keeps every run's packet log there (fidelity/README.md); probes always log.
  const keep = process.env.FIDELITY_CAPTURE;
  const logPath = keep ? `${keep}/${c.id.replace(/[^A-Za-z0-9.]+/g, '-')}-${seed}.log` : c.kind === 'probe' || c.kind === 'connect' ? `${env.workDir}/capture-${process.pid}-${seed}.log` : undefined;
  const link = await Link.open(env.fwdBin, env.workDir, {
    ...(logPath ? { logPath } : {}),
    delayMs: c.link.delayMs,
    lossPct: c.link.lossPct,
    rateKbps: c.link.rateKbps,
    queuePackets: c.link.queuePackets,
    seed,
    congestion: env.congestion,
    ...(c.link.outage ? { outageForS: c.link.outage.forS } : {}),
  });
  let outcome: Outcome;
  const cc = link.congestion();
  const notes: RealRun['notes'] = { congestion: cc.a === cc.b ? cc.a : `${cc.a}/${cc.b}` };
  try {
    outcome = await runOn(link, c, env, seed, notes);
  } finally {
    await link.close();
  }
  const metrics = typeof outcome === 'function' ? outcome(parseCapture(readFileSync(logPath!, 'utf8'))) : outcome;
  return { metrics, notes };
}

const mqttCfg = (c: FidelityCase, tls = false, ws = false) => ({
  url: tls ? `mqtts://${ADDR_B}:8883` : ws ? `ws://${ADDR_B}:8080/` : `mqtt://${ADDR_B}:1883`,
  qos: c.qos,
  version: c.version,
  clean: c.clean,
  keepalive: c.keepaliveS,
  nodelay: c.nodelay,
});

async function runOn(link: Link, c: FidelityCase, env: Env, seed: number, notes: RealRun['notes']): Promise<Outcome> {
  const sendMs = c.count * c.everyMs;
  switch (c.kind) {
    case 'ws-echo': {
      const server = startPeer(link, 'b', 'ws-echo-server', { host: ADDR_B, port: 8080 });
      await server.waitFor((e) => e.ev === 'listening', 5000, 'the ws server');
      const client = startPeer(link, 'a', 'ws-echo-client', { url: `ws://${ADDR_B}:8080/`, count: c.count, payloadBytes: c.payloadBytes, everyMs: c.everyMs, deadlineMs: sendMs + 30_000 });
      await client.waitFor((e) => e.ev === 'done', sendMs + 35_000, 'the ws client');
      return echoMetrics(evs(client), await wire(link));
    }
    case 'mqtt':
    case 'mqtt-outage':
    case 'dashboard': {
      const broker = startMosquitto(link, env.workDir, `${process.pid}-${seed}`, { bin: env.mosquitto[c.broker], nodelay: c.nodelay });
      await brokerReady(broker);
      const topic = c.kind === 'dashboard' ? 'sensors/#' : 't';
      const sub = startPeer(link, 'a', 'mqtt-sub', { ...mqttCfg(c), clientId: 'sub', topic });
      await sub.waitFor((e) => e.ev === 'subscribed', 10_000, 'the subscriber');
      const pub = startPeer(link, 'a', 'mqtt-pub', {
        ...mqttCfg(c),
        clients: c.publishers,
        topicPrefix: c.kind === 'dashboard' ? 'sensors' : 't',
        count: c.count,
        payloadBytes: c.payloadBytes,
        everyMs: c.everyMs,
        staggerMs: c.everyMs / c.publishers,
        deadlineMs: sendMs + 60_000,
      });
      let outageAt = 0;
      if (c.kind === 'mqtt-outage' && c.link.outage) {
        // The outage starts (atS - startS) after the first publish, as in the simulated scenario.
        const first = await pub.waitFor((e) => e.ev === 'pub', 15_000, 'the first publish');
        await sleep(first.t / 1000 + (c.link.outage.atS - c.startS) * 1000 - monoUs() / 1000);
        outageAt = link.startOutage();
      }
      const expected = c.count * c.publishers;
      // The publisher is done when every flow completed (QoS > 0) or it gave up; then let the subscriber catch up.
      await pub.waitFor((e) => e.ev === 'done', sendMs + 65_000, 'the publisher');
      await settle(() => sub.count('msg') >= expected, () => sub.count('msg'), 3000, 30_000);
      const w = await wire(link);
      const log = broker.events.map((e) => String(e.line));
      notes.qos2Quota = log.filter((l) => /Sending PUBREC to \S+ \(m\d+, rc151\)/.test(l)).length;
      notes.queueDropNotices = log.filter((l) => /Outgoing messages are being dropped/.test(l)).length;
      notes.brokerTimeouts = log.filter((l) => /exceeded timeout/.test(l)).length;
      notes.pubPingreqs = pub.count('pingreq');
      notes.subPingreqs = sub.count('pingreq');
      if (c.kind === 'dashboard') return dashboardMetrics(evs(pub), evs(sub));
      if (c.kind === 'mqtt-outage') return outageMetrics(evs(pub), evs(sub), outageAt, c.link.outage!.forS);
      return mqttMetrics(evs(pub), evs(sub), w);
    }
    case 'bulk': {
      const sink = startPeer(link, 'b', 'tcp-sink', { host: ADDR_B, port: 5001, bytes: c.bulkBytes });
      await sink.waitFor((e) => e.ev === 'listening', 5000, 'the tcp sink');
      const sender = startPeer(link, 'a', 'tcp-send', { host: ADDR_B, port: 5001, bytes: c.bulkBytes });
      await sink.waitFor((e) => e.ev === 'received-all', 120_000, 'the bulk transfer');
      return bulkMetrics(evs(sender), evs(sink), await wire(link));
    }
    case 'probe':
      return probe(link, c, env, seed);
    case 'connect': {
      const over = c.connectOver ?? 'mqtt';
      if (over === 'ws' || over === 'wss') {
        const server = startPeer(link, 'b', 'ws-echo-server', { host: ADDR_B, port: 8443, ...(over === 'wss' ? { tls: env.tls } : {}) });
        await server.waitFor((e) => e.ev === 'listening', 5000, 'the ws server');
        const client = startPeer(link, 'a', 'ws-echo-client', { url: `${over}://${ADDR_B}:8443/`, count: 1, payloadBytes: c.payloadBytes, everyMs: c.everyMs, deadlineMs: 10_000 });
        await client.waitFor((e) => e.ev === 'done', 12_000, 'the ws client');
        return (capture: Packet[]) => connectMetrics(lastConnectAt(capture, 8443), evs(client), 'recv', c.link.delayMs);
      }
      const broker = startMosquitto(link, env.workDir, `${process.pid}-${seed}`, { bin: env.mosquitto[c.broker], nodelay: c.nodelay, tls: env.tls });
      await brokerReady(broker);
      const sub = startPeer(link, 'a', 'mqtt-sub', { ...mqttCfg(c), clientId: 'sub', topic: 't' });
      await sub.waitFor((e) => e.ev === 'subscribed', 10_000, 'the subscriber');
      const pub = startPeer(link, 'a', 'mqtt-pub', { ...mqttCfg(c, over === 'mqtts'), clients: 1, topicPrefix: 't', count: 1, payloadBytes: c.payloadBytes, everyMs: c.everyMs, staggerMs: 0, deadlineMs: 10_000 });
      await sub.waitFor((e) => e.ev === 'msg', 12_000, 'the first message');
      // The publisher's connection (the subscriber's came first on 1883).
      const port = over === 'mqtts' ? 8883 : 1883;
      return (capture: Packet[]) => connectMetrics(lastConnectAt(capture, port), evs(sub), 'msg', c.link.delayMs);
    }
  }
}

/** The probes (../cases.ts Probe): one behaviour each, read from the packet log or the peers' events. */
async function probe(link: Link, c: FidelityCase, env: Env, seed: number): Promise<Outcome> {
  const broker = startMosquitto(link, env.workDir, `${process.pid}-${seed}`, { bin: env.mosquitto[c.broker], nodelay: c.nodelay, websockets: c.transport === 'websocket' });
  await brokerReady(broker);
  const sub = startPeer(link, 'a', 'mqtt-sub', { ...mqttCfg(c), clientId: 'sub', topic: 't' });
  await sub.waitFor((e) => e.ev === 'subscribed', 10_000, 'the subscriber');
  const pub = startPeer(link, 'a', 'mqtt-pub', {
    ...mqttCfg(c, false, c.transport === 'websocket'),
    clients: 1,
    topicPrefix: 't',
    count: c.count,
    payloadBytes: c.payloadBytes,
    everyMs: c.everyMs,
    staggerMs: 0,
    deadlineMs: c.count * c.everyMs + 20_000,
  });
  await pub.waitFor((e) => e.ev === 'done', c.count * c.everyMs + 25_000, 'the publisher');
  await settle(() => sub.count('msg') >= c.count, () => sub.count('msg'), 1000, 5000);
  const pubs = evs(pub).filter((e) => e.ev === 'pub').map((e) => e.t);
  // PINGREQs while publishing (from the first publish to the last), as on the simulated side.
  if (c.probe === 'keepalive') return { PINGREQs: evs(pub).filter((e) => e.ev === 'pingreq' && e.t >= Math.min(...pubs) && e.t <= Math.max(...pubs)).length };
  return (capture: Packet[]): RunMetrics => {
    const serverPort = c.transport === 'websocket' ? 8080 : 1883;
    // The subscriber connected first (it was subscribed before the publisher started).
    const [subPort, pubPort] = [clientPorts(capture, 1883)[0], clientPorts(capture, serverPort).at(-1)];
    if (subPort === undefined || pubPort === undefined) return {};
    if (c.probe === 'qos2-acks') {
      // Subscriber -> broker: CONNECT, SUBSCRIBE, PUBREC, PUBCOMP; publisher -> broker: CONNECT, PUBLISH, PUBREL.
      const fromSub = payloads(capture, subPort, 'ab').map((p) => p.payload);
      const fromPub = payloads(capture, pubPort, 'ab').map((p) => p.payload);
      return { 'PUBREC bytes (mqtt.js)': fromSub[2] ?? null, 'PUBREL bytes (mqtt.js)': fromPub[2] ?? null, 'PUBCOMP bytes (mqtt.js)': fromSub[3] ?? null };
    }
    // publish-bytes: the publisher's data segments from its first publish to 150 ms after its last.
    const from = Math.min(...pubs);
    const to = Math.max(...pubs) + 150_000;
    const segs = payloads(capture, pubPort, 'ab').filter((p) => p.t >= from && p.t <= to);
    return { 'IP bytes per PUBLISH': segs.reduce((a, p) => a + p.ipBytes, 0) / pubs.length };
  };
}
