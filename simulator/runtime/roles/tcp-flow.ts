/** Names shared by the tcp-sender and tcp-sink roles. */
import type { FlowId, NodeId } from '../../core/trace.ts';

/** The port a tcp-sink listens on when the scenario names none (iperf's). */
export const DEFAULT_TCP_SINK_PORT = 5001;

/** One bulk transfer is one flow: `tcp:${sender}->${sink}:${port}`. */
export function tcpFlowId(sender: NodeId, sink: NodeId, port: number): FlowId {
  return `tcp:${sender}->${sink}:${port}`;
}
