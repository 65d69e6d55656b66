/**
 * UTF-8 for the broker side (topic lengths, passwords, string payloads). TextEncoder/TextDecoder
 * exist in every runtime we target (Node, browsers, workers) but not in the ES2022 lib the
 * simulator compiles against, so they are reached through globalThis with a narrow type.
 */
interface Codecs {
  TextEncoder: new () => { encode(s: string): Uint8Array };
  TextDecoder: new (label?: string) => { decode(b: Uint8Array): string };
}
const globals = globalThis as unknown as Codecs;
const encoder = new globals.TextEncoder();
const decoder = new globals.TextDecoder('utf-8');

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Lenient decode (bad sequences become U+FFFD), for display and password comparison. */
export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}
