/**
 * Permalink params checked with a zod/mini schema, as the widgets do on the page. This file loads
 * no classic zod (which would set zod's English messages itself), so it shows that permalink.ts
 * does: the reader reads "Too big: ...", not zod/mini's bare "Invalid input".
 */
import { deflateRaw } from 'pako';
import { describe, expect, it } from 'vitest';
import * as zm from 'zod/mini';
import { decodePermalink } from '../../src/lib/permalink.ts';

/** A link payload holding `value` as raw JSON (as encodePermalink writes it). */
function raw(value: unknown): string {
  return Buffer.from(deflateRaw(JSON.stringify(value))).toString('base64url');
}

describe('permalink params checked with a zod/mini schema (what widgets use on the page)', () => {
  it('refuses a value past the schema with an English message naming the field, and accepts a good one', async () => {
    const schema = zm.strictObject({ payload: zm.int().check(zm.minimum(0), zm.maximum(65_535)), layer: zm.enum(['tcpip', 'tls']) });
    // zod/mini carries no messages itself; permalink.ts loads zod's English ones.
    expect(await decodePermalink(raw({ v: 1, seed: 1, t: 0, params: { payload: 70_000, layer: 'tls' } }), { params: schema })).toEqual({
      ok: false,
      error: "The link's params.payload is not valid: Too big: expected number to be <=65535.",
    });
    expect(await decodePermalink(raw({ v: 1, seed: 1, t: 0, params: { payload: 1, layer: 'udp' } }), { params: schema })).toEqual({
      ok: false,
      error: 'The link\'s params.layer is not valid: Invalid option: expected one of "tcpip"|"tls".',
    });
    expect(await decodePermalink(raw({ v: 1, seed: 2, t: 5, params: { payload: 700, layer: 'tcpip' } }), { params: schema })).toEqual({
      ok: true,
      state: { seed: 2, t: 5, params: { payload: 700, layer: 'tcpip' } },
    });
  });
});
