/** What the `ws` CLI commands take from the WebSocket engine (one import line for each command). */
import { CliError } from '../io.ts';
import type { Command } from './types.ts';

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

/**
 * `wirelab VERB PROTOCOL ...` for a verb only WebSocket has (frame, handshake): passes the rest
 * of the arguments to `ws`'s command, answers --help, and names the protocols it knows otherwise.
 */
export function wsOnlyCommand(verb: string, summary: string, ws: Command): Command {
  return {
    summary,
    usage: ws.usage,
    async run(args, io) {
      const [protocol, ...rest] = args;
      if (protocol === '--help' || protocol === '-h') {
        io.stdout.write(`${ws.usage ?? ''}\n`);
        return 0;
      }
      if (protocol !== 'ws') throw new CliError(`${protocol === undefined ? 'expected a protocol' : `unknown protocol "${protocol}"`}: ${verb} knows ws\n${ws.usage ?? ''}`);
      return ws.run(rest, io);
    },
  };
}
