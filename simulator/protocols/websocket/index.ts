/** The WebSocket engine (RFC 6455 + RFC 7692): codec, handshake, sans-IO connection. */
export * from './errors.ts';
export * from './frame.ts';
export * from './parser.ts';
export * from './assembler.ts';
export * from './handshake.ts';
export * from './extensions.ts';
export * from './deflate.ts';
export * from './connection.ts';
export { toBase64, fromBase64 } from './base64.ts';
export { decodeUtf8, encodeUtf8, isValidUtf8 } from './utf8.ts';
export * from './describe.ts';
