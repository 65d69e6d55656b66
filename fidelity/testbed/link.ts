/**
 * The emulated link of the testbed: two network namespaces, "a" (clients) and "b" (servers),
 * joined by fidelity/link/fwd (a userspace forwarder between two TUN devices; this kernel has no
 * netem). Address 10.77.0.1 in a, 10.77.0.2 in b, point to point.
 *
 * Every namespace and process made here is named after this process's pid and removed by
 * `close()`; fidelity/run.sh's trap removes the namespaces again if this process dies.
 * Needs root. Nothing here is imported by `npm test`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export const ADDR_A = '10.77.0.1';
export const ADDR_B = '10.77.0.2';

export interface LinkParams {
  delayMs: number;
  /** Bernoulli loss, percent, a -> b and b -> a. */
  lossPct: number;
  /** 0: no limit. */
  rateKbps: number;
  queuePackets: number;
  seed: number;
  /** Length of the outage `startOutage()` begins, seconds. */
  outageForS?: number;
  /** Write the forwarder's packet log (fwd --log) here. */
  logPath?: string;
  /** Linux congestion control set in both namespaces (net.ipv4.tcp_congestion_control). */
  congestion: string;
}

export interface DirCounters {
  in: number;
  inBytes: number;
  forwarded: number;
  forwardedBytes: number;
  droppedLoss: number;
  droppedOutage: number;
  droppedQueue: number;
}
export interface LinkCounters {
  ab: DirCounters;
  ba: DirCounters;
}

let serial = 0;

/** CLOCK_MONOTONIC in microseconds: the same clock in every process and namespace of the machine. */
export const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export class Link {
  readonly nsA: string;
  readonly nsB: string;
  readonly startUs: number;
  #fwd: ChildProcess;
  #statsPath: string;
  #children = new Set<ChildProcess>();

  private constructor(nsA: string, nsB: string, fwd: ChildProcess, statsPath: string, startUs: number) {
    this.nsA = nsA;
    this.nsB = nsB;
    this.#fwd = fwd;
    this.#statsPath = statsPath;
    this.startUs = startUs;
  }

  static async open(fwdBin: string, workDir: string, p: LinkParams): Promise<Link> {
    const tag = `${process.pid}-${serial++}`;
    const nsA = `wlf-a-${tag}`;
    const nsB = `wlf-b-${tag}`;
    const tunA = `wlfa${serial}`;
    const tunB = `wlfb${serial}`;
    const statsPath = `${workDir}/fwd-${tag}.json`;
    ip('netns', 'add', nsA);
    ip('netns', 'add', nsB);
    const start = monoUs();
    const outageArgs = [...(p.outageForS ? ['--outage-ms', String(p.outageForS * 1000)] : []), ...(p.logPath ? ['--log', p.logPath] : [])];
    const fwd = spawn(
      fwdBin,
      ['--tun-a', tunA, '--tun-b', tunB, '--delay-ms', String(p.delayMs), '--loss-ab', String(p.lossPct), '--loss-ba', String(p.lossPct), '--seed', String(p.seed), '--rate-kbps', String(p.rateKbps), '--queue', String(p.queuePackets), '--stats', statsPath, ...outageArgs],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const link = new Link(nsA, nsB, fwd, statsPath, start);
    try {
      const lines = createInterface({ input: fwd.stdout! });
      const [first] = (await Promise.race([once(lines, 'line'), once(fwd, 'exit').then(() => ['exited'])])) as string[];
      if (first !== 'ready') throw new Error(`fwd did not start (${first})`);
      for (const [ns, tun, addr, peer] of [[nsA, tunA, ADDR_A, ADDR_B], [nsB, tunB, ADDR_B, ADDR_A]] as const) {
        ip('link', 'set', tun, 'netns', ns);
        ip('-n', ns, 'link', 'set', 'lo', 'up');
        ip('-n', ns, 'addr', 'add', addr, 'peer', peer, 'dev', tun);
        ip('-n', ns, 'link', 'set', tun, 'mtu', '1500', 'up');
        execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.tcp_congestion_control=${p.congestion}`]);
      }
    } catch (e) {
      await link.close();
      throw e;
    }
    return link;
  }

  /** The congestion control each namespace really has (read back, not assumed). */
  congestion(): { a: string; b: string } {
    const read = (ns: string) => execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-n', 'net.ipv4.tcp_congestion_control'], { encoding: 'utf8' }).trim();
    return { a: read(this.nsA), b: read(this.nsB) };
  }

  /** Starts a process inside namespace a or b; it is killed (by pid) by close() if still running. */
  spawnIn(side: 'a' | 'b', cmd: string, args: string[], opts: { stdout?: 'pipe' | 'ignore' } = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', side === 'a' ? this.nsA : this.nsB, cmd, ...args], { stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] });
    this.#children.add(child);
    child.on('exit', () => this.#children.delete(child));
    return child;
  }

  /** `nstat` absolute counters of a namespace (TcpRetransSegs, TcpExtTCPLostRetransmit, ...). */
  nstat(side: 'a' | 'b'): Record<string, number> {
    const out = execFileSync('ip', ['netns', 'exec', side === 'a' ? this.nsA : this.nsB, 'nstat', '-asz', '--json'], { encoding: 'utf8' });
    const parsed = JSON.parse(out) as Record<string, Record<string, number>>;
    return Object.assign({}, ...Object.values(parsed));
  }

  /** Begins the outage now (every packet dropped for `outageForS`, both directions). */
  startOutage(): number {
    this.#fwd.kill('SIGUSR2');
    return monoUs();
  }

  /** The forwarder's counters, as of now. */
  async counters(): Promise<LinkCounters> {
    const before = this.#readStats();
    this.#fwd.kill('SIGUSR1');
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const now = this.#readStats();
      if (now && now !== before) return JSON.parse(now) as LinkCounters;
    }
    throw new Error('fwd did not write its counters');
  }

  #readStats(): string | undefined {
    try {
      return readFileSync(this.#statsPath, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Stops every process started here (by pid), then the forwarder, then deletes both namespaces. */
  async close(): Promise<void> {
    for (const c of this.#children) if (c.exitCode === null && c.pid) {
      try {
        process.kill(c.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    await Promise.all([...this.#children].map((c) => (c.exitCode === null ? Promise.race([once(c, 'exit'), new Promise((r) => setTimeout(r, 2000))]) : undefined)));
    for (const c of this.#children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
    if (this.#fwd.exitCode === null) {
      this.#fwd.kill('SIGTERM');
      await Promise.race([once(this.#fwd, 'exit'), new Promise((r) => setTimeout(r, 2000))]);
    }
    for (const ns of [this.nsA, this.nsB]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* not made */
      }
    }
  }
}
