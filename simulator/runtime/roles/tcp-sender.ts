/**
 * `tcp-sender`: a bulk transfer, like `iperf -c` or a file upload. At `startS` (default 0) it
 * connects to its `to` node's tcp-sink on `port` (default 5001); once connected it writes all
 * `bytes` in one call and closes (FIN after the data).
 *
 * Traced as one flow (protocol 'tcp') carrying ONE message of `bytes` bytes: `app-send` at the
 * write, `app-deliver` (by the sink) when the last byte arrives, so the flow's latency is the
 * transfer's completion time and bytes / latency its goodput. If the connection dies before the
 * sink got every byte, the message is `app-lost`, traced once the sink's end is gone too (see
 * Connection.onSettled): a transfer whose bytes all arrived while the last ACKs were lost is
 * delivered, not lost, although a real sender would report an error.
 *
 * TCP options: Linux defaults (Nagle and delayed ACK on); `tcp` in the node's spec may override
 * any TcpOptions field, e.g. `"tcp": { "nagle": false }`.
 */
import { s } from '../../core/time.ts';
import type { NodeOfRole } from '../../scenarios/schema.ts';
import type { Role, RoleFactory } from '../api.ts';
import { DEFAULT_TCP_SINK_PORT, tcpFlowId } from './tcp-flow.ts';

export const tcpSender: RoleFactory<NodeOfRole<'tcp-sender'>> = (ctx): Role => {
  const spec = ctx.spec;
  const port = spec.port ?? DEFAULT_TCP_SINK_PORT;
  const flow = tcpFlowId(ctx.node, spec.to, port);
  if (!(Number.isInteger(spec.bytes) && spec.bytes > 0)) {
    throw new RangeError(`tcp-sender "${ctx.node}": bytes must be a positive integer, got ${String(spec.bytes)}`);
  }

  return {
    start() {
      const startAt = s(spec.startS ?? 0);
      if (startAt >= ctx.endTime) return;
      ctx.at(startAt, () => {
        ctx.trace({ t: ctx.now(), kind: 'flow', flow, protocol: 'tcp', from: ctx.node, to: spec.to });
        const conn = ctx.connect(spec.to, port, spec.tcp);
        let written = false;
        conn.onConnect(() => {
          ctx.trace({ t: ctx.now(), kind: 'app-send', flow, msg: 0, bytes: spec.bytes });
          written = true;
          conn.write(new Uint8Array(spec.bytes));
          conn.close();
        });
        let failure = '';
        conn.onClose((reason) => {
          failure = reason;
        });
        conn.onSettled((sinkReceived) => {
          // Never connected: the message was never handed to TCP, so it was neither sent nor lost.
          if (written && sinkReceived < spec.bytes) ctx.trace({ t: ctx.now(), kind: 'app-lost', flow, msg: 0, reason: `tcp-${failure}` });
        });
      });
    },
  };
};
