/**
 * `tcp-sink`: listens on `port` (default 5001), reads everything, and closes its side when the
 * sender closes (like `iperf -s`). For each tcp-sender of the scenario that targets it, it
 * emits the transfer's `app-deliver` when the last of its `bytes` arrives.
 */
import type { NodeOfRole } from '../../scenarios/schema.ts';
import type { Role, RoleFactory } from '../api.ts';
import { DEFAULT_TCP_SINK_PORT, tcpFlowId } from './tcp-flow.ts';

export const tcpSink: RoleFactory<NodeOfRole<'tcp-sink'>> = (ctx): Role => {
  const spec = ctx.spec;
  const port = spec.port ?? DEFAULT_TCP_SINK_PORT;
  // The transfers aimed at this sink, by sender node.
  const expected = new Map<string, number>();
  for (const node of ctx.scenario.nodes) {
    if (node.role === 'tcp-sender' && node.to === ctx.node && (node.port ?? DEFAULT_TCP_SINK_PORT) === port) {
      expected.set(node.id, node.bytes);
    }
  }

  return {
    start() {
      ctx.listen(
        port,
        (conn) => {
          const want = expected.get(conn.remoteNode);
          const flow = tcpFlowId(conn.remoteNode, ctx.node, port);
          let received = 0;
          let delivered = false;
          conn.onData((data) => {
            received += data.length;
            if (!delivered && want !== undefined && received >= want) {
              delivered = true;
              ctx.trace({ t: ctx.now(), kind: 'app-deliver', flow, msg: 0, bytes: want });
            }
          });
          conn.onEnd(() => conn.close());
        },
        spec.tcp,
      );
    },
  };
};
