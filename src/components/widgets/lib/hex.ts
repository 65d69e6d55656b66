/** Pure helpers for showing bytes: hex, binary digits of a bit range, printable ASCII. */

/** "81 14 6c" for the bytes [start, end), at most `limit` bytes, then "…". */
export function hexRange(bytes: Uint8Array, start: number, end: number, limit = 16): string {
  const stop = Math.min(end, bytes.length, start + limit);
  const parts: string[] = [];
  for (let i = start; i < stop; i++) parts.push(bytes[i]!.toString(16).padStart(2, '0'));
  return parts.join(' ') + (end > stop ? ' …' : '');
}

/** The bits hi..lo of `byte` as binary digits, most significant first: bitDigits(0x81, 7, 7) = "1". */
export function bitDigits(byte: number, hi: number, lo: number): string {
  let out = '';
  for (let b = hi; b >= lo; b--) out += (byte >> b) & 1 ? '1' : '0';
  return out;
}

/** Printable ASCII of the range, other bytes as "·" (for HTTP text and topic names). */
export function asciiRange(bytes: Uint8Array, start: number, end: number, limit = 48): string {
  const stop = Math.min(end, bytes.length, start + limit);
  let out = '';
  for (let i = start; i < stop; i++) {
    const c = bytes[i]!;
    out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '·';
  }
  return out + (end > stop ? '…' : '');
}

/** "byte 0", "bytes 2–15" (inclusive, as a reader counts). */
export function rangeLabel(start: number, end: number): string {
  return end - start <= 1 ? `byte ${start}` : `bytes ${start}–${end - 1}`;
}

/** "bit 7", "bits 3–0". */
export function bitLabel(hi: number, lo: number): string {
  return hi === lo ? `bit ${hi}` : `bits ${hi}–${lo}`;
}
