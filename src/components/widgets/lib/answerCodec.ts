/**
 * How a widget's first answer is written into the HTML and read back (./initial.ts), and when a
 * widget must ask the worker again. Plain functions, testable in Node.
 */
/** JSON, with byte arrays as base64 (`{"$bytes": "..."}`). */
export function encodeAnswer(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) {
      let binary = '';
      for (const b of v) binary += String.fromCharCode(b);
      return { $bytes: btoa(binary) };
    }
    return v;
  });
}

export function decodeAnswer(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && typeof (v as { $bytes?: unknown }).$bytes === 'string' && Object.keys(v).length === 1) {
      const binary = atob((v as { $bytes: string }).$bytes);
      const out = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
      return out;
    }
    return v;
  });
}

/** True when `input` asks for what `answered` already answers (same values, any key order). */
export function sameInput(input: object, answered: object | undefined): boolean {
  if (!answered) return false;
  const a = input as Record<string, unknown>;
  const b = answered as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => a[k] !== undefined || b[k] !== undefined));
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  return true;
}
