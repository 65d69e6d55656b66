/**
 * The streaming figures of issue 12 (`npm run bench -- --only=fleet`): printed, never asserted.
 * Targets (not tests), each printed beside its figure with "met" or "not met" (`--quick` runs
 * smaller fleets and says "not measured"): 1,000 devices x 60 s QoS 1 as a whole `wirelab run`
 * in under 3 s; 10,000 devices x 60 s (600,000 messages) in under 30 s with under 400 MB peak,
 * in Node. The machine's load average is printed beside them: on a shared machine a time is only
 * comparable with one measured at the same load.
 *
 * The fleet: one mqtt-broker, N sensors publishing 20 bytes at QoS 1 once a second (starts spread
 * over the first second), one dashboard subscribed to `sensors/#` at QoS 0 (a live view: a QoS 1
 * dashboard cannot take 1,000 messages a second through mosquitto's 20 in flight, see ./run.ts),
 * links 20 ms +- 2 ms, no loss, 10 Mbit/s (the broker's 1 Gbit/s). Each run is its own process, so its peak resident
 * memory (`/usr/bin/time`'s maximum RSS, or Node's own maxRSS) is its own.
 *
 * Then the ratio the issue tracks: simulated messages delivered per wall-clock second over
 * mqtt-packet's own encode+parse rate for the same PUBLISH (its generate() and parser, nothing of
 * ours), both measured here, now.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt } from './util.ts';

const ROOT = new URL('../', import.meta.url).pathname;

export function fleetScenario(devices: number, durationS: number): unknown {
  // The broker on a 1 Gbit/s link with a 20,000-packet queue, as ./run.ts's fleet (a broker in a
  // data centre): 10,000 publishes a second and their PUBACKs would swamp a 10 Mbit/s link.
  const nodes: unknown[] = [{ id: 'broker', role: 'mqtt-broker', link: { bandwidthKbps: 1_000_000, queuePackets: 20_000 } }];
  for (let i = 0; i < devices; i++) {
    nodes.push({
      id: `sensor-${i}`,
      role: 'mqtt-client',
      publish: [{ topic: `sensors/${i}`, qos: 1, payloadBytes: 20, everyMs: 1000, startS: (i % 1000) / 1000 }],
    });
  }
  nodes.push({ id: 'dash', role: 'mqtt-client', subscribe: [{ topic: 'sensors/#', qos: 0 }] });
  return {
    schema: 'wirelab/scenario@1',
    seed: 1,
    durationS,
    defaults: { link: { latencyMs: 20, jitterMs: 2, lossPct: 0, bandwidthKbps: 10000 } },
    nodes,
  };
}

interface Measured {
  seconds: number;
  /** CPU time (user + system) of the process, from /usr/bin/time: less dependent on the machine's load than wall time. */
  cpuSeconds: number | undefined;
  maxRssMb: number | undefined;
  stdout: string;
}

/** Runs a command in its own process; wall time, and peak RSS from /usr/bin/time when there is one. */
function measure(command: string, args: string[]): Measured {
  const time = '/usr/bin/time';
  const useTime = existsSync(time);
  const start = performance.now();
  const r = useTime
    ? spawnSync(time, ['-f', 'maxrss-kb %M cpu %U %S', command, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const rss = /maxrss-kb (\d+) cpu ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { seconds, cpuSeconds: rss ? Number(rss[2]) + Number(rss[3]) : undefined, maxRssMb: rss ? Number(rss[1]) / 1024 : undefined, stdout: r.stdout };
}

/** A target beside its figure: `[target < 3 s: met]`. */
function verdict(value: number | undefined, limit: number, unit: string): string {
  const met = value === undefined ? 'not measured' : value < limit ? 'met' : 'not met';
  return `[target < ${fmt(limit)} ${unit}: ${met}]`;
}

/** The machine's 1-minute load average, printed beside every time: times on a busy machine are slower. */
function load(): string {
  return `load average ${fmt(loadavg()[0]!, 1)}`;
}

/** mqtt-packet's own encode (generate) + parse of one QoS 1 PUBLISH like the fleet's, per second (best of 3). */
function mqttPacketRate(): number {
  const require = createRequire(import.meta.url);
  const mqttPacket = require('mqtt-packet') as typeof import('mqtt-packet');
  const packet = { cmd: 'publish' as const, topic: 'sensors/123', payload: Buffer.alloc(20), qos: 1 as const, messageId: 7, dup: false, retain: false };
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let parsed = 0;
  parser.on('packet', () => parsed++);
  const n = 200_000;
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) parser.parse(mqttPacket.generate(packet));
    best = Math.max(best, n / ((performance.now() - start) / 1000));
  }
  if (parsed !== 3 * n) throw new Error(`mqtt-packet parsed ${parsed} of ${3 * n} packets`);
  return best;
}

export function benchFleet(quick: boolean): void {
  const dir = mkdtempSync(join(tmpdir(), 'wirelab-bench-'));
  try {
    const node = process.execPath;
    // 1. The whole CLI run, as a user types it.
    const small = quick ? 100 : 1000;
    const file = join(dir, `fleet-${small}.json`);
    writeFileSync(file, JSON.stringify(fleetScenario(small, 60)));
    const loadBefore = load();
    const cli = measure(node, [join(ROOT, 'bin/wirelab.mjs'), 'run', file, '--format', 'csv', '--yes']);
    const rows = cli.stdout.trim().split('\n').slice(1).map((line) => line.split(','));
    const delivered = rows.reduce((n, cells) => n + Number(cells[7]), 0);
    console.log(
      `fleet, whole CLI run (wirelab run, ${fmt(small)} devices x 60 s, QoS 1, 1 dashboard): ${fmt(cli.seconds, 2)} s wall ${verdict(quick ? undefined : cli.seconds, 3, 's')} (CPU ${cli.cpuSeconds === undefined ? '?' : fmt(cli.cpuSeconds, 2)} s), ` +
        `peak RSS ${cli.maxRssMb === undefined ? '?' : fmt(cli.maxRssMb)} MB; ${fmt(delivered)} messages delivered (${loadBefore} before, ${load()} after)`,
    );

    // 2. The big fleet in Node, in-process runScenario + metrics (./fleet-run.ts), its own process.
    // 9,998 sensors, the broker and the dashboard: 10,000 nodes, the schema's cap.
    const big = quick ? 998 : 9998;
    const bigFile = join(dir, `fleet-${big}.json`);
    writeFileSync(bigFile, JSON.stringify(fleetScenario(big, 60)));
    // Loaded as the CLI loads its TypeScript (bin/typescript.mjs).
    const bigLoadBefore = load();
    const run = measure(node, ['--import', join(ROOT, 'bin/typescript.mjs'), join(ROOT, 'bench/fleet-run.ts'), bigFile]);
    const figures = JSON.parse(run.stdout) as { seconds: number; cpuSeconds: number; events: number; sent: number; delivered: number; lost: number; inFlight: number; heapMb: number };
    console.log(
      `fleet in Node (${fmt(big + 2)} nodes: ${fmt(big)} devices x 60 s): ${fmt(figures.seconds, 2)} s for the run and its metrics ${verdict(quick ? undefined : figures.seconds, 30, 's')} (CPU ${fmt(figures.cpuSeconds, 2)} s), ` +
        `peak RSS ${run.maxRssMb === undefined ? '?' : fmt(run.maxRssMb)} MB ${verdict(quick ? undefined : run.maxRssMb, 400, 'MB')}, heap after ${fmt(figures.heapMb)} MB; ` +
        `${fmt(figures.events)} events, ${fmt(figures.sent)} sent, ${fmt(figures.delivered)} delivered, ${fmt(figures.lost)} lost, ${fmt(figures.inFlight)} in flight ` +
        `(${bigLoadBefore} before, ${load()} after)`,
    );

    // 3. The ratio to mqtt-packet alone.
    const rate = mqttPacketRate();
    const simRate = figures.delivered / figures.seconds;
    // Per CPU second too: on a loaded machine the long fleet run waits for the CPU far more than
    // the short encode+parse loop (best of three), which skews the wall-clock ratio.
    const simCpuRate = figures.delivered / figures.cpuSeconds;
    console.log(
      `fleet vs mqtt-packet: ${fmt(simRate)} simulated messages delivered per s (${fmt(simCpuRate)} per CPU s); mqtt-packet encode+parse of the same PUBLISH ${fmt(rate)} per s; ` +
        `ratio ${fmt(rate / simRate, 1)} by wall time, ${fmt(rate / simCpuRate, 1)} by CPU time (mqtt-packet alone is that many times faster; tracked, no target) (${load()})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
