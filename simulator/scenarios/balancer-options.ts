/**
 * The `balancer` node's options (`lb`) and the `failure` every node may have: the two schema
 * additions chapter 11 ("Scaling out: many servers, one failing") needs. Both are additive
 * (wirelab/scenario@1 rules, ./schema.ts): a scenario without them means what it meant before.
 *
 * The balancer is HAProxy in TCP mode (`mode tcp`), so every default below is HAProxy's, from its
 * configuration manual (doc/configuration.txt, haproxy/haproxy at 50872daa, August 2026):
 * "inter" 2000 ms, "fall" 3, "rise" 2, "retries" 3 (CONN_RETRIES in include/haproxy/defaults.h)
 * with a turn-around of min(timeout connect, 1 s) before a retry on the same server, no
 * "option redispatch", no "on-marked-down" action, `hash-type map-based` for `balance source`. The role holds them (runtime/roles/balancer.ts
 * BALANCER_DEFAULTS; a test compares the two).
 */
import * as z from 'zod';
import { bool, doc, jsonSchemaMeta, list, nonNegative, numberIn, positive, portNumber, text } from './fields.ts';


export const balancerCheckSchema = z.strictObject({
  interS: doc(positive('seconds').optional(), 'Seconds between two health checks of a server, and the timeout of one (HAProxy "inter", default 2 s, with no "timeout check").'),
  fall: doc(numberIn(1, 1000, { int: true }).optional(), 'Consecutive failed checks that mark a server DOWN (HAProxy "fall", default 3).'),
  rise: doc(numberIn(1, 1000, { int: true }).optional(), 'Consecutive good checks that mark a DOWN server UP again (HAProxy "rise", default 2).'),
});

export const balancerOptionsSchema = z.strictObject({
  port: doc(portNumber().optional(), 'Port the balancer listens on (default 80); its ws-clients connect to it.'),
  backends: doc(list(text('a node id'), 'backend ids'), 'The ws-server nodes behind the balancer, in order (the order decides the hash and when each is first checked).'),
  balance: doc(
    z.enum(['source', 'roundrobin', 'leastconn'], { error: 'expected "source", "roundrobin" or "leastconn"' }).optional(),
    'How a new connection picks a server among those UP: "source" hashes the client (sticky, HAProxy\'s `balance source`), "roundrobin" takes turns, "leastconn" the fewest connections. Default "source".',
  ),
  hashType: doc(
    z.enum(['map-based', 'consistent'], { error: 'expected "map-based" or "consistent"' }).optional(),
    'For "source": "map-based" (HAProxy\'s default: hash modulo the servers UP, so most clients move when one goes down) or "consistent" (only the failed server\'s clients move).',
  ),
  check: doc(z.union([balancerCheckSchema, z.literal(false)], { error: 'expected an object {interS, fall, rise} or false' }).optional(), 'TCP connect health checks (on by default, HAProxy\'s defaults); false: none, a dead server is never marked DOWN.'),
  retries: doc(numberIn(0, 100, { int: true }).optional(), 'Connection attempts to a server retried after a refusal or timeout, 1 s apart (HAProxy "retries", default 3).'),
  timeoutConnectS: doc(positive('seconds').optional(), 'Give up on one connection attempt to a server after this many seconds (HAProxy "timeout connect"; default 5 s, the value of its example configurations).'),
  redispatch: doc(bool().optional(), 'The last retry goes to another server (HAProxy "option redispatch"; default false).'),
  shutdownSessionsOnDown: doc(bool().optional(), 'When a server is marked DOWN, cut every connection through it (HAProxy "on-marked-down shutdown-sessions"; default false: they stay until they fail).'),
});

/**
 * A node's failure (any role): at `atS` its process dies (`crash`: the kernel closes its sockets,
 * so peers get a FIN, then a RST for anything more they send, and SYNs to its ports are refused)
 * or the machine stops (`power`: it sends nothing and answers nothing; peers find out only by
 * their own timeouts). It does not come back within the run.
 */
export const failureSchema = z.strictObject({
  atS: doc(nonNegative('seconds'), 'When the node fails, seconds from the start of the run.'),
  kind: doc(z.enum(['crash', 'power'], { error: 'expected "crash" or "power"' }).optional(), '"crash" (default): the process dies and its kernel closes the sockets; "power": the machine goes silent.'),
});

balancerCheckSchema.register(jsonSchemaMeta, { id: 'BalancerCheck' });
balancerOptionsSchema.register(jsonSchemaMeta, {
  id: 'BalancerOptions',
  description: 'A TCP load balancer (HAProxy in `mode tcp`): each client connection is forwarded byte for byte to one backend ws-server, chosen among those its health checks find UP.',
});
failureSchema.register(jsonSchemaMeta, { id: 'Failure' });

export type BalancerOptions = z.infer<typeof balancerOptionsSchema>;
export type FailureSpec = z.infer<typeof failureSchema>;
