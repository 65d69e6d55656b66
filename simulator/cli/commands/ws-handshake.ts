/**
 * `wirelab handshake ws [--key BASE64] [--host H] [--path P] [--protocol P]... [--deflate]`: the
 * opening handshake's request and response (RFC 6455 section 4), with their exact sizes.
 */
import { randomBytes } from 'node:crypto';
import { parseOptions } from '../args.ts';
import { CliError } from '../io.ts';
import {
  acceptDeflateOffer,
  buildClientRequest,
  buildServerResponse,
  computeAccept,
  deflateOffer,
  encodeUtf8,
  formatExtension,
  fromBase64,
  WEBSOCKET_GUID,
  wsOnlyCommand,
} from './ws-shared.ts';
import type { Command } from './types.ts';

const USAGE = `usage: wirelab handshake ws [--key BASE64] [--host HOST] [--path PATH] [--protocol NAME]... [--deflate]

Prints the client's HTTP/1.1 Upgrade request and the server's 101 response as JSON, with their
sizes in bytes as they go on the wire. The key (16 bytes, base64) is random unless --key gives it;
the RFC 6455 section 1.3 example is dGhlIHNhbXBsZSBub25jZQ==. --deflate offers and accepts
permessage-deflate as ws does.`;

export const wsHandshakeCommand: Command = {
  summary: 'print a WebSocket opening handshake and its size',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseOptions(
      args,
      {
        key: { type: 'string' },
        host: { type: 'string' },
        path: { type: 'string' },
        protocol: { type: 'string', multiple: true },
        deflate: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
    const key = values.key ?? Buffer.from(randomBytes(16)).toString('base64');
    if (fromBase64(key)?.length !== 16) throw new CliError(`--key: expected 16 bytes in base64 (24 characters), got "${key}"`);
    const protocols = values.protocol ?? [];
    const offer = values.deflate ? deflateOffer({}) : undefined;
    const request = buildClientRequest({
      key,
      host: values.host ?? 'example.com',
      path: values.path ?? '/',
      protocols,
      ...(offer ? { extensions: formatExtension(offer) } : {}),
    });
    const accepted = offer ? acceptDeflateOffer([offer], {}) : undefined;
    const accept = computeAccept(key);
    const response = buildServerResponse({
      accept,
      ...(protocols[0] !== undefined ? { protocol: protocols[0] } : {}),
      ...(accepted ? { extensions: formatExtension(accepted.response) } : {}),
    });
    const requestBytes = encodeUtf8(request).length;
    const responseBytes = encodeUtf8(response).length;
    const out = {
      key,
      accept,
      acceptFrom: `base64(SHA-1("${key}" + "${WEBSOCKET_GUID}"))`,
      request: { text: request, bytes: requestBytes },
      response: { text: response, bytes: responseBytes },
      totalBytes: requestBytes + responseBytes,
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  },
};

/** `wirelab handshake PROTOCOL ...`: only WebSocket has this handshake. */
export const handshakeCommand: Command = wsOnlyCommand('handshake', 'print a WebSocket opening handshake and its size (handshake ws --help)', wsHandshakeCommand);
