/**
 * WebSocket errors: one constructor per violation, each with a stable `code` (tests and the CLI
 * rely on it) and the RFC 6455 close code (section 7.4.1) the engine sends when it fails the
 * connection. Handshake failures carry the HTTP status instead (section 4.2.2 / 4.4).
 */
import { LocalProtocolError, RemoteProtocolError } from '../../core/errors.ts';

/** RFC 6455 section 7.4.1 status codes the engine uses. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  noStatus: 1005,
  abnormal: 1006,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  mandatoryExtension: 1010,
  internalError: 1011,
} as const;

/** Stable codes of the peer's violations, with the close code each one earns. */
export const REMOTE_ERRORS = {
  RESERVED_OPCODE: CloseCode.protocolError,
  UNEXPECTED_RSV: CloseCode.protocolError,
  FRAGMENTED_CONTROL_FRAME: CloseCode.protocolError,
  CONTROL_FRAME_TOO_LONG: CloseCode.protocolError,
  UNMASKED_CLIENT_FRAME: CloseCode.protocolError,
  MASKED_SERVER_FRAME: CloseCode.protocolError,
  INVALID_PAYLOAD_LENGTH: CloseCode.protocolError,
  UNEXPECTED_CONTINUATION: CloseCode.protocolError,
  EXPECTED_CONTINUATION: CloseCode.protocolError,
  INVALID_CLOSE_PAYLOAD: CloseCode.protocolError,
  INVALID_CLOSE_CODE: CloseCode.protocolError,
  INVALID_UTF8: CloseCode.invalidPayload,
  INFLATE_FAILED: CloseCode.invalidPayload,
  MESSAGE_TOO_BIG: CloseCode.messageTooBig,
  PONG_TIMEOUT: CloseCode.abnormal,
  CLOSE_TIMEOUT: CloseCode.abnormal,
} as const;
export type RemoteErrorCode = keyof typeof REMOTE_ERRORS;

export function remoteError(code: RemoteErrorCode, message: string): RemoteProtocolError {
  return new RemoteProtocolError(code, message, REMOTE_ERRORS[code]);
}

/** Handshake failures; `protocolCode` is the HTTP status a server answers with (0: the client aborts). */
export function handshakeError(code: string, message: string, status: number): RemoteProtocolError {
  return new RemoteProtocolError(code, message, status);
}

export function localError(code: string, message: string): LocalProtocolError {
  return new LocalProtocolError(code, message);
}

/**
 * Close codes a peer may put in a close frame (RFC 6455 section 7.4.1-7.4.2): 1004-1006 and 1015
 * are reserved for reporting and must never appear on the wire; 1016-2999 are unassigned;
 * 3000-4999 belong to libraries and applications. (ws accepts the same set.)
 */
export function isValidWireCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006;
}
