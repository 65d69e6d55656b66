import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { deflateRaw } from 'pako';
import { decodePermalink, encodePermalink, MAX_PERMALINK_CHARS, permalinkUrl, readPermalink } from '../../src/lib/permalink.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { scenario } from './fixtures.ts';

const valid = parseScenario(scenario);
if (!valid.ok) throw new Error(valid.errors.join('\n'));

/** Encodes any JSON value the way a permalink does, to build tampered links. */
function raw(value: unknown): string {
  const bytes = deflateRaw(new TextEncoder().encode(JSON.stringify(value)));
  return Buffer.from(bytes).toString('base64url');
}

describe('permalinks', () => {
  it('round-trips scenario, seed, time and params', () => {
    const state = { scenario: valid.scenario, seed: 42, t: 1_250_000, params: { payload: 125, masked: true, qos: 'one' } };
    const payload = encodePermalink(state);
    expect(payload).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePermalink(payload)).toEqual({ ok: true, state });
  });

  it('puts the state under the widget id in the URL, keeps other parameters and opens at the widget', () => {
    const url = permalinkUrl('lab', { seed: 3, t: 0 }, 'https://wirelab.example/lab/?other=1#results');
    const parsed = new URL(url);
    expect(parsed.searchParams.get('other')).toBe('1');
    expect(parsed.hash).toBe('#lab');
    expect(readPermalink('lab', parsed.search)).toEqual({ ok: true, state: { seed: 3, t: 0 } });
    expect(readPermalink('two-ways', parsed.search)).toBeNull();
  });

  it('names what is wrong with a tampered link', () => {
    expect(decodePermalink('')).toEqual({ ok: false, error: 'The link holds no state.' });
    expect(decodePermalink('not base64!')).toEqual({ ok: false, error: 'The link is damaged: its state is not valid base64url text.' });
    expect(decodePermalink('AAAA')).toEqual({ ok: false, error: 'The link is damaged: its state could not be decompressed.' });
    expect(decodePermalink(Buffer.from(deflateRaw(new TextEncoder().encode('{oops'))).toString('base64url'))).toEqual({
      ok: false,
      error: 'The link is damaged: its state is not valid JSON.',
    });
    expect(decodePermalink(raw({ v: 1, seed: -1, t: 0 }))).toEqual({ ok: false, error: "The link's seed is not valid: expected a seed of at least 0." });
    expect(decodePermalink(raw({ v: 2, seed: 1, t: 0 }))).toEqual({ ok: false, error: "The link's v is not valid: expected version 1." });
    expect(decodePermalink('A'.repeat(MAX_PERMALINK_CHARS + 1))).toEqual({
      ok: false,
      error: `The link's state is too long (${MAX_PERMALINK_CHARS + 1} characters, at most ${MAX_PERMALINK_CHARS}).`,
    });
  });

  it('validates the scenario with the scenario schema', () => {
    const tampered = { ...scenario, defaults: { link: { lossPct: 'five' } } };
    expect(decodePermalink(raw({ v: 1, seed: 1, t: 0, scenario: tampered }))).toEqual({
      ok: false,
      error: 'The link\'s scenario is not valid: defaults.link.lossPct: expected a number from 0 to 100, got "five".',
    });
  });

  it('checks params with the widget schema, or allows only flat values by default', () => {
    const html = raw({ v: 1, seed: 1, t: 0, params: { label: { nested: '<img src=x onerror=alert(1)>' } } });
    const result = decodePermalink(html);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.startsWith("The link's params.label is not valid")).toBe(true);
    const schema = z.strictObject({ payload: z.number().int().min(0).max(65_535) });
    expect(decodePermalink(raw({ v: 1, seed: 1, t: 0, params: { payload: 70_000 } }), schema).ok).toBe(false);
    expect(decodePermalink(raw({ v: 1, seed: 1, t: 0, params: { payload: 700 } }), schema)).toEqual({
      ok: true,
      state: { seed: 1, t: 0, params: { payload: 700 } },
    });
  });
});
