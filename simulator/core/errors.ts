/**
 * The two errors every protocol engine raises (h11's split). Both carry a stable `code` that tests
 * and the CLI rely on, and the protocol's own reason code where it has one (an RFC 6455 close
 * code, an MQTT 5 reason code).
 */
export class LocalProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly protocolCode?: number,
  ) {
    super(message);
    this.name = 'LocalProtocolError';
  }
}

export class RemoteProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly protocolCode?: number,
  ) {
    super(message);
    this.name = 'RemoteProtocolError';
  }
}
