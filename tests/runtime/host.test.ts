import { describe, expect, it } from 'vitest';
import { Rng } from '../../simulator/core/rng.ts';
import { Scheduler } from '../../simulator/core/scheduler.ts';
import { TraceBuffer } from '../../simulator/core/trace.ts';
import type { LinkConfigInput } from '../../simulator/net/config.ts';
import { mergeLinkConfig } from '../../simulator/net/config.ts';
import { StarNetwork } from '../../simulator/net/network.ts';
import type { CloseReason } from '../../simulator/runtime/connection.ts';
import { FIRST_EPHEMERAL_PORT, Host } from '../../simulator/runtime/host.ts';

function world(nodes: string[], link: LinkConfigInput = { latencyMs: 5 }) {
  const scheduler = new Scheduler();
  const trace = new TraceBuffer();
  const rng = Rng.stream(3, '');
  const network = new StarNetwork({ scheduler, trace, rng });
  const hosts = new Map<string, Host>();
  for (const id of nodes) {
    const a = network.attach(id, mergeLinkConfig(link), mergeLinkConfig(link));
    const host = new Host(id, { scheduler, trace, network, issRng: rng.fork(`node:${id}:tcp-iss`) });
    a.receive = (p) => host.receive(p);
    hosts.set(id, host);
  }
  return { scheduler, trace, hosts };
}

describe('Host: demux', () => {
  it('answers a SYN to a port nobody listens on with a RST: the connect is refused', () => {
    const { scheduler, trace, hosts } = world(['a', 'b']);
    const closes: CloseReason[] = [];
    scheduler.at(0, () => hosts.get('a')!.connect('b', 80).onClose((r) => closes.push(r)));
    scheduler.run();
    expect(closes).toEqual(['refused']);
    const rst = trace.records.filter((r) => r.kind === 'tcp-send' && r.node === 'b');
    expect(rst.map((r) => (r as { flags: string }).flags)).toEqual(['RST|ACK']);
    expect(trace.records.filter((r) => r.kind === 'tcp-failure').map((r) => (r as { reason: string }).reason)).toEqual(['refused']);
    expect(hosts.get('a')!.connectionCount).toBe(0);
  });

  it('keeps connections apart by (local port, remote node, remote port) and gives each its own ephemeral port', () => {
    const { scheduler, hosts } = world(['a', 'b', 'c']);
    const got: string[] = [];
    scheduler.at(0, () => {
      hosts.get('b')!.listen(80, (conn) => {
        conn.onData((d) => got.push(`${conn.remoteNode}:${conn.remotePort} ${new TextDecoder().decode(d)}`));
      });
      for (const [from, msg] of [['a', 'one'], ['a', 'two'], ['c', 'three']] as const) {
        const conn = hosts.get(from)!.connect('b', 80);
        conn.onConnect(() => conn.write(new TextEncoder().encode(msg)));
      }
    });
    scheduler.run(1_000_000);
    expect(got.sort()).toEqual([
      `a:${FIRST_EPHEMERAL_PORT} one`,
      `a:${FIRST_EPHEMERAL_PORT + 1} two`,
      `c:${FIRST_EPHEMERAL_PORT} three`,
    ]);
    expect(hosts.get('b')!.connectionCount).toBe(3);
  });

  it('lists its connections by each remote node\'s first connection, then by ports, whatever came and went', () => {
    // s serves a, c, then b. a's first connection closes (s forgets it once it is CLOSED), then a
    // connects again twice. a's connections still come first, in the order they were made: a
    // remote node keeps its place from its first connection (Host.fail and the accounting
    // probes go through connections() in this order).
    const { scheduler, hosts } = world(['a', 'b', 'c', 's']);
    const s = hosts.get('s')!;
    const listed: string[][] = [];
    const list = () => listed.push([...s.connections()].map((c) => `${c.remoteNode}:${c.remotePort}`));
    scheduler.at(0, () => {
      s.listen(80, (conn) => conn.onEnd(() => conn.close()));
      const first = hosts.get('a')!.connect('s', 80);
      first.onConnect(() => first.close());
      hosts.get('c')!.connect('s', 80);
    });
    scheduler.at(1_000_000, () => {
      list();
      hosts.get('a')!.connect('s', 80);
    });
    scheduler.at(2_000_000, () => hosts.get('b')!.connect('s', 80));
    scheduler.at(3_000_000, () => hosts.get('a')!.connect('s', 80));
    scheduler.at(4_000_000, list);
    scheduler.run(4_000_000);
    const p = FIRST_EPHEMERAL_PORT;
    expect(listed).toEqual([
      [`c:${p}`],
      [`a:${p + 1}`, `a:${p + 2}`, `c:${p}`, `b:${p}`],
    ]);
    expect(s.connectionCount).toBe(4);
  });

  it('drops packets for a node that does not exist (no-route) and lets the SYN retries run out', () => {
    const { scheduler, trace, hosts } = world(['a']);
    const closes: CloseReason[] = [];
    scheduler.at(0, () => hosts.get('a')!.connect('ghost', 80, { maxSynRetries: 2 }).onClose((r) => closes.push(r)));
    scheduler.run();
    const drops = trace.records.filter((r) => r.kind === 'link-drop');
    expect(drops.map((d) => (d as { reason: string }).reason)).toEqual(['no-route', 'no-route', 'no-route']);
    expect(closes).toEqual(['timeout']);
  });

  it('runs a full exchange both ways and closes cleanly on both sides', () => {
    const { scheduler, hosts } = world(['a', 'b']);
    const log: string[] = [];
    scheduler.at(0, () => {
      hosts.get('b')!.listen(7, (conn) => {
        conn.onData((d) => conn.write(d)); // echo
        conn.onEnd(() => conn.close());
        conn.onClose((r) => log.push(`server ${r}`));
      });
      const c = hosts.get('a')!.connect('b', 7);
      c.onConnect(() => c.write(new TextEncoder().encode('ping')));
      c.onData((d) => {
        log.push(`client got ${new TextDecoder().decode(d)}`);
        c.close();
      });
      c.onClose((r) => log.push(`client ${r}`));
    });
    scheduler.run();
    expect(log).toEqual(['client got ping', 'client clean', 'server clean']);
    expect(hosts.get('a')!.connectionCount).toBe(0);
    expect(hosts.get('b')!.connectionCount).toBe(0);
  });

  it('goes silent behind an idle-timeout middlebox: a write after the idle period is never delivered and TCP gives up', () => {
    const { scheduler, trace, hosts } = world(['a', 'b'], { latencyMs: 5, idleTimeoutS: 30 });
    const got: string[] = [];
    const closes: CloseReason[] = [];
    scheduler.at(0, () => {
      hosts.get('b')!.listen(80, (conn) => conn.onData((d) => got.push(new TextDecoder().decode(d))));
      const c = hosts.get('a')!.connect('b', 80, { maxRetries: 4 });
      c.onConnect(() => c.write(new TextEncoder().encode('early')));
      c.onClose((r) => closes.push(r));
      scheduler.at(45_000_000, () => c.write(new TextEncoder().encode('late')));
    });
    scheduler.run();
    expect(got).toEqual(['early']);
    expect(closes).toEqual(['timeout']);
    const drops = trace.records.filter((r) => r.kind === 'link-drop') as { reason: string; t: number }[];
    // The first data segment after 45 s, Linux's tail loss probe of it (which does not count as
    // a retry), then each of its 4 RTO retransmissions.
    expect(drops.map((d) => d.reason)).toEqual(Array(6).fill('idle-timeout'));
    const causes = trace.records.filter((r) => r.kind === 'tcp-retransmit').map((r) => (r as { cause: string }).cause);
    expect(causes).toEqual(['tail-loss-probe', 'rto', 'rto', 'rto', 'rto']);
    expect(drops[0]!.t).toBe(45_000_000);
  });
});
