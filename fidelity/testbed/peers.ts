/**
 * Starting the real peers (fidelity/peers/*.ts, mosquitto) inside the link's namespaces and
 * collecting what they log. Every line a peer prints is a JSON event stamped with CLOCK_MONOTONIC
 * (µs); mosquitto's log lines are stamped here as they arrive.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ADDR_B, type Link, monoUs } from './link.ts';

export interface PeerEvent {
  ev: string;
  t: number;
  [k: string]: unknown;
}

export class Peer {
  readonly events: PeerEvent[] = [];
  readonly child: ChildProcess;
  #waiters: { match: (e: PeerEvent) => boolean; resolve: (e: PeerEvent) => void }[] = [];
  readonly exited: Promise<void>;

  constructor(child: ChildProcess, parse: (line: string) => PeerEvent | undefined) {
    this.child = child;
    const onLine = (line: string) => {
      const e = parse(line);
      if (!e) return;
      this.events.push(e);
      this.#waiters = this.#waiters.filter((w) => (w.match(e) ? (w.resolve(e), false) : true));
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    let errTail = '';
    child.stderr?.on('data', (d: Buffer) => {
      errTail = (errTail + d.toString()).slice(-2000);
    });
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
    child.on('exit', (code) => {
      if (code && code !== 0 && !/SIGTERM/.test(String(code))) process.stderr.write(`peer exited ${code}: ${errTail.replace(/\(node:\d+\) ExperimentalWarning[^\n]*\n?/g, '')}\n`);
    });
  }

  /** Resolves with the first event (already seen or future) that matches, or rejects after `timeoutMs`. */
  waitFor(match: (e: PeerEvent) => boolean, timeoutMs: number, what: string): Promise<PeerEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.#waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  count(ev: string): number {
    return this.events.filter((e) => e.ev === ev).length;
  }
}

const peerFile = (name: string) => fileURLToPath(new URL(`../peers/${name}.ts`, import.meta.url));
const json = (line: string): PeerEvent | undefined => {
  try {
    return JSON.parse(line) as PeerEvent;
  } catch {
    return undefined;
  }
};

/** A peer script of fidelity/peers, run by this Node (it strips the TypeScript types itself). */
export function startPeer(link: Link, side: 'a' | 'b', name: string, cfg: object): Peer {
  return new Peer(link.spawnIn(side, process.execPath, ['--disable-warning=ExperimentalWarning', peerFile(name), JSON.stringify(cfg)]), json);
}

export interface BrokerOptions {
  bin: string;
  nodelay: boolean;
  tls?: { cert: string; key: string };
  /** A WebSocket listener on 8080 (MQTT over WebSocket). */
  websockets?: boolean;
}

/** mosquitto in namespace b with its defaults (plus set_tcp_nodelay if asked), logging everything. */
export function startMosquitto(link: Link, workDir: string, tag: string, o: BrokerOptions): Peer {
  const conf = `${workDir}/mosquitto-${tag}.conf`;
  const lines = [
    `listener 1883 ${ADDR_B}`,
    ...(o.tls ? [`listener 8883 ${ADDR_B}`, `certfile ${o.tls.cert}`, `keyfile ${o.tls.key}`] : []),
    ...(o.websockets ? [`listener 8080 ${ADDR_B}`, 'protocol websockets'] : []),
    'allow_anonymous true',
    'user root',
    'log_dest stderr', // unbuffered, unlike stdout into a pipe
    'log_type all',
    ...(o.nodelay ? ['set_tcp_nodelay true'] : []),
  ];
  writeFileSync(conf, lines.join('\n') + '\n');
  // exec keeps the pid (stopped by it); 2>&1 brings the log to the pipe Peer reads.
  return new Peer(link.spawnIn('b', 'sh', ['-c', 'exec "$0" -c "$1" 2>&1', o.bin, conf]), (line) => ({ ev: 'log', t: monoUs(), line }));
}

export const brokerReady = (p: Peer) => p.waitFor((e) => /running/.test(String(e.line)), 5000, 'mosquitto to start');
