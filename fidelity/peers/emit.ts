/** One JSON line per event on stdout, stamped with CLOCK_MONOTONIC in microseconds (shared by every namespace). */
export const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);
export const emit = (ev: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(JSON.stringify({ ev, t: monoUs(), ...fields }) + '\n');
};
/** Sequence number carried at the start of each payload: 8 hex digits, padded to `bytes` with '.'. */
export const payload = (seq: number, bytes: number): Buffer => {
  const head = seq.toString(16).padStart(8, '0');
  return Buffer.from(head.padEnd(Math.max(bytes, 8), '.'));
};
export const seqOf = (data: Buffer | ArrayBuffer | Buffer[]): number => parseInt(Buffer.from(data as Buffer).subarray(0, 8).toString(), 16);
