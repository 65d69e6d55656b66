/**
 * UTF-8 for text messages and close reasons. RFC 6455 section 8.1: a text message that is not
 * valid UTF-8 fails the connection with 1007. A fatal TextDecoder rejects overlongs, surrogates
 * and code points above U+10FFFF, in Node and in browsers alike.
 *
 * The simulator compiles without DOM or Node types, so the two globals are typed here.
 */
interface Decoder {
  decode(input: Uint8Array): string;
}
interface Encoder {
  encode(input: string): Uint8Array;
}
const globals = globalThis as unknown as {
  TextDecoder: new (label: string, options: { fatal: boolean }) => Decoder;
  TextEncoder: new () => Encoder;
};
const strict = new globals.TextDecoder('utf-8', { fatal: true });
const encoder = new globals.TextEncoder();

/** The text of `bytes`, or undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  return decodeUtf8(bytes) !== undefined;
}

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}
