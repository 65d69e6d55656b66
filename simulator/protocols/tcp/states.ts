/**
 * The connection states (RFC 9293 3.3.2) as tables: which states allow what, and where the close
 * sequence goes on each of its three events. ./connection.ts applies them.
 */
import type { TcpState } from '../../core/trace.ts';

/** States after the handshake (RFC 9293 3.3.2 "synchronized"). */
export const SYNCHRONIZED: ReadonlySet<TcpState> = new Set<TcpState>([
  'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT',
]);
/** States in which our side may still send data or our FIN. */
export const SENDING: ReadonlySet<TcpState> = new Set<TcpState>([
  'ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1', 'CLOSING', 'LAST_ACK',
]);
/** States in which the peer may still send data (it has not sent its FIN). */
export const RECEIVING: ReadonlySet<TcpState> = new Set<TcpState>(['ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2']);

type Transitions = Readonly<Partial<Record<TcpState, TcpState>>>;

/** The application called close() (RFC 9293 3.10.4). */
export const ON_CLOSE: Transitions = { ESTABLISHED: 'FIN_WAIT_1', CLOSE_WAIT: 'LAST_ACK' };
/** The peer's FIN arrived after all its data (RFC 9293 3.10.7.4, eighth step). */
export const ON_FIN_RECEIVED: Transitions = { ESTABLISHED: 'CLOSE_WAIT', FIN_WAIT_1: 'CLOSING', FIN_WAIT_2: 'TIME_WAIT' };
/** Our FIN was acknowledged (RFC 9293 3.10.7.4, fifth step). */
export const ON_FIN_ACKED: Transitions = { FIN_WAIT_1: 'FIN_WAIT_2', CLOSING: 'TIME_WAIT', LAST_ACK: 'CLOSED' };
