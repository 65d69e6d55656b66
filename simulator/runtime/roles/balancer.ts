/**
 * `balancer`: a TCP load balancer in front of ws-servers, as HAProxy runs in `mode tcp` (its
 * configuration manual, doc/configuration.txt, and source, haproxy/haproxy at 50872daa; the
 * defaults are in ../../scenarios/balancer-options.ts). Each client connection is a second TCP
 * connection from the balancer to one backend: two handshakes, two sets of ACKs, and the bytes
 * forwarded as they come, unparsed (an L4 proxy does not know about WebSocket frames). Both
 * sockets have TCP_NODELAY, as HAProxy sets it (src/session.c, src/sock.c).
 *
 * Choosing a server, among those UP only (a server marked DOWN gets no new connection):
 * - `source`: the client is hashed (FNV-1a of its node id stands for the source address) and,
 *   `map-based` (HAProxy's default), taken modulo the number of servers UP: sticky while no
 *   server goes down or up, and most clients move when one does; `consistent`: HAProxy's ring
 *   (16 points per server, keys avalanched: src/lb_chash.c), so only a failed server's clients move;
 * - `roundrobin`: in turn; `leastconn`: the fewest current connections (ties in list order).
 *
 * Health checks ("check"): a TCP connect to the server's port every `interS` (2 s); success when
 * the handshake completes, then the balancer closes with a single RST (HAProxy's default, the
 * `linger` option of tcp-check says so); a refusal, or no answer within `interS` (it doubles as
 * the check timeout when "timeout check" is not set), is a failure. `fall` (3) failures in a row
 * mark a server DOWN, `rise` (2) successes UP again. Server i of n is first checked at
 * inter x i / n, then `interS` after each check ends (src/check.c start_check_task). All start UP.
 *
 * Connection attempts: a refused or timed-out (`timeoutConnectS`) connection to the chosen
 * server is retried `retries` times (3) after a turn-around of min(timeout connect, 1 s); with
 * `redispatch` the last retry goes to another server. When all fail, or no server is UP, the
 * client's connection is closed. Established connections are not moved: when a server is marked
 * DOWN its connections stay until they fail, unless `shutdownSessionsOnDown` ("on-marked-down
 * shutdown-sessions") cuts them (both sides reset).
 *
 * Ends: a FIN from either side closes both (our Connection.close also stops reading, so a
 * half-closed tunnel is not modelled; WebSocket closes both ways anyway); a reset or timeout on
 * one side resets the other. Not modelled: CPU (accept and TLS cost), maxconn and queues, the
 * PROXY protocol, "timeout client/server/tunnel" (the servers' own heartbeats end idle tunnels).
 *
 * The backend learns which client a tunnel carries from the WebSocket request (the ws-client puts
 * `client=<id>` in its path, as an application puts a session token there): it sees the
 * balancer's address, not the client's.
 */
import { s } from '../../core/time.ts';
import type { NodeId } from '../../core/trace.ts';
import type { NodeOfRole } from '../../scenarios/schema.ts';
import type { Connection, Role, RoleFactory, TimerHandle } from '../api.ts';
import { wsRoleOptions } from './ws-common.ts';

/** 32-bit FNV-1a of a string's UTF-16 code units: a stable stand-in for HAProxy's hash of the source address. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** What a `balancer` node does when its `lb` says nothing (HAProxy's defaults: ../../scenarios/balancer-options.ts). */
export const BALANCER_DEFAULTS = {
  port: 80,
  balance: 'source',
  hashType: 'map-based',
  interS: 2,
  fall: 3,
  rise: 2,
  retries: 3,
  timeoutConnectS: 5,
  redispatch: false,
  shutdownSessionsOnDown: false,
} as const;

/**
 * Bob Jenkins' 32-bit full-avalanche integer hash (burtleburtle.net/bob/hash/integer.html), which
 * HAProxy applies to consistent-hash keys (`full_hash`, include/haproxy/intops.h): similar inputs
 * land far apart on the ring.
 */
export function avalanche(a: number): number {
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  return a;
}

/** Ring points per server of weight 1 (HAProxy's BE_WEIGHT_SCALE, include/haproxy/backend-t.h). */
export const RING_POINTS = 16;

/**
 * A server's points on the consistent-hash ring, as src/lb_chash.c places them: a base key
 * full_hash(puid), puid being the server's 1-based position, then full_hash(base + j) for j < 16.
 */
export function ringPoints(position: number): number[] {
  const base = avalanche(position);
  return Array.from({ length: RING_POINTS }, (_, j) => avalanche((base + j) >>> 0));
}

export interface Backend {
  readonly id: NodeId;
  /** Its 1-based position in `backends` (HAProxy's puid), which places it on the ring. */
  readonly position: number;
  readonly port: number;
  up: boolean;
  /** Failed (while UP) or good (while DOWN) checks in a row. */
  streak: number;
  /** Tunnels through this server now. */
  tunnels: Set<Tunnel>;
}

interface Tunnel {
  client: Connection;
  server: Connection | undefined;
  backend: Backend | undefined;
  /** Client bytes that arrived before the server connection was up. */
  pending: Uint8Array[];
  done: boolean;
}

/** The server a new connection from `client` goes to, among `up` (in list order), or undefined. */
export function pickServer(
  balance: 'source' | 'roundrobin' | 'leastconn',
  hashType: 'map-based' | 'consistent',
  up: readonly Backend[],
  client: NodeId,
  turn: number,
): Backend | undefined {
  if (up.length === 0) return undefined;
  if (balance === 'roundrobin') return up[turn % up.length];
  if (balance === 'leastconn') return up.reduce((best, b) => (b.tunnels.size < best.tunnels.size ? b : best));
  const h = fnv1a(client);
  if (hashType === 'map-based') return up[h % up.length];
  // chash_get_server_hash: the ring point nearest the client's key, the one before it on a tie
  // (distances counted round the 32-bit ring).
  const key = avalanche(h);
  let best: Backend | undefined;
  let bestDistance = Infinity;
  for (const b of up) {
    for (const point of ringPoints(b.position)) {
      const before = (key - point) >>> 0;
      const after = (point - key) >>> 0;
      const d = Math.min(before, after);
      if (d < bestDistance || (d === bestDistance && before <= after)) [best, bestDistance] = [b, d];
    }
  }
  return best;
}

export const balancer: RoleFactory<NodeOfRole<'balancer'>> = (ctx): Role => {
  const o = { ...BALANCER_DEFAULTS, ...stripUndefined(ctx.spec.lb) };
  const check = o.check === false ? undefined : { interS: BALANCER_DEFAULTS.interS, fall: BALANCER_DEFAULTS.fall, rise: BALANCER_DEFAULTS.rise, ...stripUndefined(o.check ?? {}) };
  const backends: Backend[] = o.backends.map((id, i) => {
    const node = ctx.scenario.nodes.find((n) => n.id === id);
    const port = node?.role === 'ws-server' ? wsRoleOptions(node.ws).port : 80;
    return { id, position: i + 1, port, up: true, streak: 0, tunnels: new Set() };
  });
  let turn = 0;
  const note = (text: string) => ctx.trace({ t: ctx.now(), kind: 'note', node: ctx.node, text: `lb: ${text}` });
  const upServers = (except?: Backend) => backends.filter((b) => b.up && b !== except);

  const end = (t: Tunnel, how: 'close' | 'abort') => {
    if (t.done) return;
    t.done = true;
    t.backend?.tunnels.delete(t);
    t.client[how]();
    t.server?.[how]();
  };

  /** One attempt to reach `backend` for tunnel `t`; `attempt` counts from 0. */
  const attempt = (t: Tunnel, backend: Backend, tries: number) => {
    const conn = ctx.connect(backend.id, backend.port, { nagle: false });
    let open = false;
    const timeout = ctx.at(ctx.now() + s(o.timeoutConnectS), () => {
      if (!open && !t.done) conn.abort();
    });
    conn.onConnect(() => {
      open = true;
      ctx.cancel(timeout);
      if (t.done) return conn.abort();
      t.server = conn;
      t.backend = backend;
      backend.tunnels.add(t);
      for (const data of t.pending.splice(0)) conn.write(data);
    });
    conn.onData((data) => {
      if (!t.done) t.client.write(data);
    });
    conn.onEnd(() => end(t, 'close'));
    conn.onClose((reason) => {
      ctx.cancel(timeout);
      if (open) return end(t, reason === 'clean' ? 'close' : 'abort');
      if (t.done) return;
      // Not established: retry after the turn-around, the last one elsewhere with redispatch.
      if (tries >= o.retries) {
        note(`${backend.id} unreachable for ${t.client.remoteNode} after ${tries + 1} attempts (${reason}): closing the client`);
        return end(t, 'close');
      }
      const next = tries + 1 === o.retries && o.redispatch ? (pick(t.client.remoteNode, backend) ?? backend) : backend;
      ctx.at(ctx.now() + s(Math.min(o.timeoutConnectS, 1)), () => {
        if (!t.done) attempt(t, next, tries + 1);
      });
    });
  };

  const pick = (client: NodeId, except?: Backend) => pickServer(o.balance, o.hashType, upServers(except), client, turn++);

  const accept = (client: Connection) => {
    const t: Tunnel = { client, server: undefined, backend: undefined, pending: [], done: false };
    client.onData((data) => {
      if (t.done) return;
      if (t.server) t.server.write(data);
      else t.pending.push(data);
    });
    client.onEnd(() => end(t, 'close'));
    client.onClose((reason) => end(t, reason === 'clean' ? 'close' : 'abort'));
    const backend = pick(client.remoteNode);
    if (!backend) {
      note(`no server UP for ${client.remoteNode}: closing it`);
      return end(t, 'close');
    }
    attempt(t, backend, 0);
  };

  /** One TCP connect check of `b`; the next is `interS` after this one ends. */
  const runCheck = (b: Backend) => {
    if (!check) return;
    const conn = ctx.connect(b.id, b.port, { nagle: false });
    let over = false;
    const result = (ok: boolean) => {
      if (over) return;
      over = true;
      ctx.cancel(timer);
      if (ok !== b.up) b.streak++;
      else b.streak = 0;
      if (b.up && b.streak >= check.fall) markDown(b);
      else if (!b.up && b.streak >= check.rise) {
        b.up = true;
        b.streak = 0;
        note(`${b.id} UP (${check.rise} good checks)`);
      }
      schedule(b, ctx.now() + s(check.interS));
    };
    const timer: TimerHandle = ctx.at(ctx.now() + s(check.interS), () => {
      conn.abort();
      result(false);
    });
    conn.onConnect(() => {
      conn.abort(); // a single RST, as HAProxy closes its checks
      result(true);
    });
    conn.onClose(() => result(false));
  };

  const markDown = (b: Backend) => {
    b.up = false;
    b.streak = 0;
    note(`${b.id} DOWN (${check!.fall} failed checks, ${b.tunnels.size} connections on it)`);
    if (o.shutdownSessionsOnDown) for (const t of [...b.tunnels]) end(t, 'abort');
  };

  const schedule = (b: Backend, at: number) => {
    if (at < ctx.endTime) ctx.at(at, () => runCheck(b));
  };

  return {
    start() {
      // HAProxy accepts with TCP_NODELAY (src/session.c).
      ctx.listen(o.port, accept, { nagle: false });
      if (check) backends.forEach((b, i) => schedule(b, ctx.now() + Math.floor((s(check.interS) * i) / backends.length)));
    },
  };
};

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
