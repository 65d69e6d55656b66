/**
 * Text from a user (a file name, a field name, a value) made safe to print in a message: control
 * characters (C0, DEL, C1: ESC starts a terminal escape sequence, U+009B is one on its own), line
 * and paragraph separators, bidirectional overrides (they reorder what a reader sees) and lone
 * surrogates become visible escapes such as `\x1b` or `\u202e`. Newlines too, unless kept.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu;
// eslint-disable-next-line no-control-regex
const UNSAFE_WITH_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu;

function escape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every unsafe character escaped; newlines stay when `keepNewlines`. */
export function printable(s: string, { keepNewlines = false } = {}): string {
  return s.replace(keepNewlines ? UNSAFE : UNSAFE_WITH_NEWLINE, escape);
}
