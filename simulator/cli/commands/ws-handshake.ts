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

/** Longest --host, --path or --protocol accepted (characters). */
const MAX_HEADER_VALUE = 1024;

// RFC 9110 section 5.6.2: a token is one or more tchar.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// RFC 3986 section 3.2.2 host (reg-name, IPv4, or an IP literal in brackets) and an optional port.
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{1,5})?$/;
// RFC 9112 section 3.2.1 origin-form: an absolute path and an optional query, visible ASCII only.
const PATH = /^\/[\x21-\x7e]*$/;

/** Refuses a value that would not be a valid header field value (CR, LF, controls, spaces) with the rule it breaks. */
function checkHeaderValue(option: string, value: string, pattern: RegExp, rule: string): void {
  if (value.length > MAX_HEADER_VALUE) throw new CliError(`--${option}: expected at most ${MAX_HEADER_VALUE} characters, got ${value.length}`);
  if (!pattern.test(value)) throw new CliError(`--${option}: expected ${rule}, got ${JSON.stringify(value)}`);
}

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
    if (values.host !== undefined) checkHeaderValue('host', values.host, HOST, 'a host name or address, optionally with :port (RFC 3986 section 3.2.2)');
    if (values.path !== undefined) checkHeaderValue('path', values.path, PATH, 'a path starting with "/", visible ASCII only (RFC 9112 section 3.2.1)');
    for (const p of protocols) checkHeaderValue('protocol', p, TOKEN, 'a subprotocol name: a token, no spaces or separators (RFC 6455 section 4.1, RFC 9110 section 5.6.2)');
    if (protocols.length > 64) throw new CliError(`--protocol: expected at most 64, got ${protocols.length}`);
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
