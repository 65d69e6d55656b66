/**
 * Connection ids as the runtime writes them (simulator/core/trace.ts):
 * `${clientNode}:${clientPort}-${serverNode}:${serverPort}`. Node ids never contain ':'
 * (the scenario schema allows letters, digits, '.', '_' and '-'), so the split is unambiguous.
 */
import type { ConnId, LinkId, NodeId } from '../core/trace.ts';

export interface ConnEnds {
  client: NodeId;
  clientPort: number;
  server: NodeId;
  serverPort: number;
}

/** The two ends of a connection, or `undefined` when `conn` is not in the runtime's format. */
export function parseConnId(conn: ConnId): ConnEnds | undefined {
  const m = /^([^:]+):(\d+)-([^:]+):(\d+)$/.exec(conn);
  if (!m) return undefined;
  return { client: m[1]!, clientPort: Number(m[2]), server: m[3]!, serverPort: Number(m[4]) };
}

/** The sending side of a link id `${from}->${to}`. */
export function linkSource(link: LinkId): string {
  const i = link.indexOf('->');
  return i < 0 ? link : link.slice(0, i);
}
