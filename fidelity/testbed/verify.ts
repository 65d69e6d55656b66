/**
 * Checks the emulated link before any experiment: the round trip `ping` measures against twice the
 * configured one-way delay, and the loss rate the forwarder's own counters show against the
 * configured Bernoulli probability. Prints and returns the figures.
 */
import { execFileSync } from 'node:child_process';
import { ADDR_B, Link } from './link.ts';

export interface LinkCheck {
  delayMs: number;
  pingRttMs: { min: number; avg: number; max: number; count: number };
  lossPct: number;
  lossPackets: number;
  lossMeasuredPct: { ab: number; ba: number };
}

function ping(link: Link, count: number, intervalS: number): string {
  try {
    return execFileSync('ip', ['netns', 'exec', link.nsA, 'ping', '-n', '-q', '-c', String(count), '-i', String(intervalS), '-W', '1', ADDR_B], { encoding: 'utf8' });
  } catch (e) {
    // ping exits 1 when some replies were lost: its output is still the figures wanted.
    return String((e as { stdout?: string }).stdout ?? '');
  }
}

export async function verifyLink(fwdBin: string, workDir: string, congestion: string): Promise<LinkCheck> {
  const delayMs = 25;
  let link = await Link.open(fwdBin, workDir, { delayMs, lossPct: 0, rateKbps: 0, queuePackets: 1000, seed: 1, congestion });
  let rtt;
  try {
    const out = ping(link, 20, 0.05);
    const m = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\//.exec(out);
    if (!m) throw new Error(`ping gave no round trip times: ${out}`);
    rtt = { min: Number(m[1]), avg: Number(m[2]), max: Number(m[3]), count: 20 };
  } finally {
    await link.close();
  }
  const lossPct = 10;
  const count = 2000;
  link = await Link.open(fwdBin, workDir, { delayMs: 1, lossPct, rateKbps: 0, queuePackets: 1000, seed: 7, congestion });
  let c;
  try {
    ping(link, count, 0.002);
    await new Promise((r) => setTimeout(r, 1200)); // the last replies drain (1 ms link, 1 s ping wait)
    c = await link.counters();
  } finally {
    await link.close();
  }
  const pct = (d: { in: number; droppedLoss: number }) => Math.round((1000 * 100 * d.droppedLoss) / Math.max(1, d.in)) / 1000;
  const check = { delayMs, pingRttMs: rtt, lossPct, lossPackets: count, lossMeasuredPct: { ab: pct(c.ab), ba: pct(c.ba) } };
  process.stderr.write(
    `link: ping RTT min/avg/max ${rtt.min}/${rtt.avg}/${rtt.max} ms over ${rtt.count} pings for 2 x ${delayMs} ms one way; ` +
      `loss ${lossPct}% configured: a->b ${check.lossMeasuredPct.ab}% of ${c.ab.in}, b->a ${check.lossMeasuredPct.ba}% of ${c.ba.in} packets (forwarder counters)\n`,
  );
  return check;
}
