/** What the `ws` CLI commands take from the WebSocket engine (one import line for each command). */
export {
  closePayload,
  computeAccept,
  describeFrame,
  encodeFrame,
  encodeUtf8,
  FrameParser,
  MessageAssembler,
  Opcode,
  MAX_CONTROL_PAYLOAD,
  WEBSOCKET_GUID,
  buildClientRequest,
  buildServerResponse,
  fromBase64,
  formatExtension,
  deflateOffer,
  acceptDeflateOffer,
  type FrameDescription,
} from '../../protocols/websocket/index.ts';
export { LocalProtocolError, RemoteProtocolError } from '../../core/errors.ts';
