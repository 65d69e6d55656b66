/**
 * MQTT's UTF-8 Encoded Strings (3.1.1 section 1.5.3, MQTT 5 section 1.5.4), one module for the
 * whole MQTT side: the strict check the codec applies to what it receives, a decoder for display
 * that never throws, and the encoder.
 *
 * Rules (the spec's):
 * - The bytes must be well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogate
 *   code points U+D800..U+DFFF, nothing above U+10FFFF. Ill-formed bytes: the receiver closes
 *   the connection ([MQTT-1.5.3-1]; MQTT 5 [MQTT-1.5.4-1]).
 * - U+0000 must not appear: the receiver closes the connection ([MQTT-1.5.3-2]; MQTT 5 [MQTT-1.5.4-2]).
 * - Other control characters and non-characters are allowed (a receiver MAY close; mosquitto does
 *   not, nor do we).
 *
 * TextEncoder/TextDecoder exist in every runtime we target (Node, browsers, workers) but not in
 * the ES2022 lib the simulator compiles against, so they are reached through globalThis.
 */
interface Codecs {
  TextEncoder: new () => { encode(s: string): Uint8Array };
  TextDecoder: new (label?: string, options?: { fatal?: boolean }) => { decode(b: Uint8Array): string };
}
const globals = globalThis as unknown as Codecs;
const encoder = new globals.TextEncoder();
const lenient = new globals.TextDecoder('utf-8');

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Lenient decode (each ill-formed sequence becomes U+FFFD): for display and comparisons; never throws. */
export function utf8Decode(b: Uint8Array): string {
  return lenient.decode(b);
}

const ID_WELL_FORMED = '[MQTT-1.5.3-1], MQTT 5 [MQTT-1.5.4-1]';

/**
 * What makes `b` unacceptable as an MQTT UTF-8 string, or undefined when it is fine. Walks the
 * bytes by the RFC 3629 section 4 grammar, so the message can say where the fault is. The answer
 * reads after "the string": "holds U+0000 at byte 3 ...", "is ill-formed UTF-8: ...".
 */
export function utf8Problem(b: Uint8Array): string | undefined {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c === 0) return `holds U+0000 at byte ${i} ([MQTT-1.5.3-2], MQTT 5 [MQTT-1.5.4-2])`;
    if (c < 0x80) {
      i++;
      continue;
    }
    // Lead byte: length and the allowed range of the second byte (RFC 3629 section 4).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c === 0xe0) lo = 0xa0; // no overlong forms
      if (c === 0xed) hi = 0x9f; // no surrogates U+D800..U+DFFF
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c === 0xf0) lo = 0x90; // no overlong forms
      if (c === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else {
      return `is ill-formed UTF-8: byte 0x${hex(c)} at ${i} cannot start a character (${ID_WELL_FORMED})`;
    }
    if (i + n > b.length) return `is ill-formed UTF-8: the character at byte ${i} is cut off (${ID_WELL_FORMED})`;
    for (let k = 1; k < n; k++) {
      const x = b[i + k]!;
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (x < min || x > max) return `is ill-formed UTF-8: byte 0x${hex(x)} at ${i + k} (${ID_WELL_FORMED})`;
    }
    i += n;
  }
  return undefined;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
