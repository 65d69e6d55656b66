import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { deflateRaw } from 'pako';
import { assignKnown, decodePermalink, encodePermalink, MAX_PERMALINK_CHARS, permalinkUrl, readPermalink, type ScenarioCheck } from '../../src/lib/permalink.ts';
import { parseScenario } from '../../simulator/scenarios/schema.ts';
import { scenario } from './fixtures.ts';

const valid = parseScenario(scenario);
if (!valid.ok) throw new Error(valid.errors.join('\n'));

/** The Lab's checker asks the worker; here the same schema runs in-process. */
const checkScenario: ScenarioCheck = async (s) => {
  const parsed = parseScenario(s);
  return parsed.ok ? { ok: true, scenario: parsed.scenario } : parsed;
};

/**
 * Encodes any JSON value as the first permalinks did (pako's raw deflate, before the page used
 * the browser's CompressionStream): links shared then must still open.
 */
function raw(value: unknown): string {
  const bytes = deflateRaw(new TextEncoder().encode(JSON.stringify(value)), { level: 9 });
  return Buffer.from(bytes).toString('base64url');
}

describe('permalinks', () => {
  it('round-trips scenario, seed, time and params', async () => {
    const state = { scenario: valid.scenario, seed: 42, t: 1_250_000, params: { payload: 125, masked: true, qos: 'one' } };
    const payload = await encodePermalink(state);
    expect(payload).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await decodePermalink(payload, { scenario: checkScenario })).toEqual({ ok: true, state });
  });

  it('opens links made by the earlier encoder (pako deflate-raw, level 9)', async () => {
    // A link "Copy link" made for the overhead widget before this change.
    const old = raw({ v: 1, seed: 0, t: 0, params: { payloadBytes: 300, topicLength: 12, qos: 2, version: '5', layer: 'tls', measure: 'overhead' } });
    expect(await decodePermalink(old)).toEqual({
      ok: true,
      state: { seed: 0, t: 0, params: { payloadBytes: 300, topicLength: 12, qos: 2, version: '5', layer: 'tls', measure: 'overhead' } },
    });
    const lab = raw({ v: 1, seed: 7, t: 5000, scenario: valid.scenario });
    expect(await decodePermalink(lab, { scenario: checkScenario })).toEqual({ ok: true, state: { seed: 7, t: 5000, scenario: valid.scenario } });
  });

  it('puts the state under the widget id in the URL, keeps other parameters and opens at the widget', async () => {
    const url = await permalinkUrl('lab', { seed: 3, t: 0 }, 'https://wirelab.example/lab/?other=1#results');
    const parsed = new URL(url);
    expect(parsed.searchParams.get('other')).toBe('1');
    expect(parsed.hash).toBe('#lab');
    expect(await readPermalink('lab', parsed.search)).toEqual({ ok: true, state: { seed: 3, t: 0 } });
    expect(await readPermalink('two-ways', parsed.search)).toBeNull();
  });

  it('names what is wrong with a tampered link', async () => {
    expect(await decodePermalink('')).toEqual({ ok: false, error: 'The link holds no state.' });
    expect(await decodePermalink('not base64!')).toEqual({ ok: false, error: 'The link is damaged: its state is not valid base64url text.' });
    expect(await decodePermalink('AAAA')).toEqual({ ok: false, error: 'The link is damaged: its state could not be decompressed.' });
    expect(await decodePermalink(Buffer.from(deflateRaw(new TextEncoder().encode('{oops'))).toString('base64url'))).toEqual({
      ok: false,
      error: 'The link is damaged: its state is not valid JSON.',
    });
    expect(await decodePermalink(raw({ v: 1, seed: -1, t: 0 }))).toEqual({ ok: false, error: "The link's seed is not valid: expected a seed of at least 0." });
    expect(await decodePermalink(raw({ v: 2, seed: 1, t: 0 }))).toEqual({ ok: false, error: "The link's v is not valid: expected version 1." });
    expect(await decodePermalink(raw({ v: 1, seed: 1, t: 0, extra: 1 }))).toEqual({ ok: false, error: 'The link\'s state is not valid: unexpected key "extra".' });
    expect(await decodePermalink(raw([1]))).toEqual({ ok: false, error: "The link's state is not valid: expected an object." });
    expect(await decodePermalink('A'.repeat(MAX_PERMALINK_CHARS + 1))).toEqual({
      ok: false,
      error: `The link's state is too long (${MAX_PERMALINK_CHARS + 1} characters, at most ${MAX_PERMALINK_CHARS}).`,
    });
    // 300,000 spaces deflate to a few hundred bytes but would inflate past the 200,000-byte cap.
    const bomb = Buffer.from(deflateRaw(new TextEncoder().encode(' '.repeat(300_000)), { level: 9 })).toString('base64url');
    expect(bomb.length).toBeLessThan(MAX_PERMALINK_CHARS);
    expect(await decodePermalink(bomb)).toEqual({ ok: false, error: 'The link is damaged: its state is far too large.' });
  });

  it('validates the scenario with the checker it is given, and refuses one where none is expected', async () => {
    const tampered = { ...scenario, defaults: { link: { lossPct: 'five' } } };
    expect(await decodePermalink(raw({ v: 1, seed: 1, t: 0, scenario: tampered }), { scenario: checkScenario })).toEqual({
      ok: false,
      error: 'The link\'s scenario is not valid: defaults.link.lossPct: expected a number from 0 to 100, got "five".',
    });
    expect(await decodePermalink(raw({ v: 1, seed: 1, t: 0, scenario }))).toEqual({
      ok: false,
      error: 'The link carries a scenario, which this widget does not take.',
    });
  });

  it('checks params with the widget schema, or allows only flat values by default', async () => {
    const html = raw({ v: 1, seed: 1, t: 0, params: { label: { nested: '<img src=x onerror=alert(1)>' } } });
    expect(await decodePermalink(html)).toEqual({ ok: false, error: "The link's params.label is not valid: expected a number, a short text, true/false or null." });
    const schema = z.strictObject({ payload: z.number().int().min(0).max(65_535) });
    const tooBig = await decodePermalink(raw({ v: 1, seed: 1, t: 0, params: { payload: 70_000 } }), { params: schema });
    expect(tooBig.ok).toBe(false);
    expect(!tooBig.ok && tooBig.error.startsWith("The link's params.payload is not valid")).toBe(true);
    expect(await decodePermalink(raw({ v: 1, seed: 1, t: 0, params: { payload: 700 } }), { params: schema })).toEqual({
      ok: true,
      state: { seed: 1, t: 0, params: { payload: 700 } },
    });
  });
});

describe('assignKnown (what Permalink.restoreInto copies onto a widget state)', () => {
  it('copies the keys the target has, own fields and accessors, and skips the rest and undefined values', () => {
    class State {
      lossPct = 5;
      #seed = 1;
      get seed(): number {
        return this.#seed;
      }
      set seed(v: number) {
        this.#seed = v;
      }
    }
    const state = new State();
    // lossPct is an own field, seed an accessor on the prototype; extra is unknown, latencyMs undefined.
    expect(assignKnown(state, { lossPct: 10, seed: 29, extra: 'x', latencyMs: undefined })).toEqual(['lossPct', 'seed']);
    expect(state.lossPct).toBe(10);
    expect(state.seed).toBe(29);
    expect('extra' in state).toBe(false);
  });
});
