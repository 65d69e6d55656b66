/**
 * Permalinks: a widget's whole state (scenario, seed, position in time, and its own small
 * parameters) in the page URL, so opening the link reproduces exactly what the sender saw.
 *
 * Format (unchanged since the first links were shared): the query parameter named after the
 * widget (`?lab=...`, `?two-ways=...`) holds base64url( deflate-raw( JSON ) ), where the JSON is
 * `{ v: 1, seed, t, scenario?, params? }`. Compression is the browser's own (CompressionStream,
 * also in Node 18+), so no compression library and no simulator code ride on the page.
 *
 * A permalink is untrusted input. Decoding validates every step (size, base64url, inflate, JSON,
 * shape, the widget's params with its schema, then the scenario with the checker the caller
 * passes: the Lab's asks the worker) and returns a message that names what is wrong; callers show
 * that message as text and fall back to their default state.
 */
import { config, safeParse, type $ZodType } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

// Widgets write their params schemas with zod/mini (tree-shaken, no messages of its own): English
// messages for the refusal a reader sees ("expected number, received string"). Classic zod, where
// it is loaded too (tests, the build), configures the same.
config(en());

/** A widget's params schema: zod/mini's (on the page) or classic zod's, both zod core types. */
export type ParamsSchema<P> = $ZodType<P>;

export const PERMALINK_VERSION = 1;
/** Longest payload accepted (characters): links longer than this are not worth sharing. */
export const MAX_PERMALINK_CHARS = 8_000;
/** Largest decoded JSON accepted (bytes), so a crafted link cannot inflate into megabytes. */
const MAX_JSON_BYTES = 200_000;

export interface PermalinkState<P = Record<string, unknown>> {
  /** The scenario the widget ran (checked on load by the caller's scenario checker). */
  scenario?: unknown;
  seed: number;
  /** Position in simulated time, µs (where the animation or the step-through stood). */
  t: number;
  /** The widget's own small settings (payload size, chosen packet...), checked by its schema. */
  params?: P;
}

export type DecodeResult<P = Record<string, unknown>> = { ok: true; state: PermalinkState<P> } | { ok: false; error: string };

/** Checks a link's scenario: the validated scenario, or one line per problem. */
export type ScenarioCheck = (scenario: unknown) => Promise<{ ok: true; scenario: unknown } | { ok: false; errors: string[] }>;

export interface DecodeOptions<P> {
  /** Checks the widget's own `params` (default: a flat object of numbers, short strings, booleans). */
  params?: ParamsSchema<P> | null;
  /** Checks the scenario (without one, a link carrying a scenario is refused). */
  scenario?: ScenarioCheck;
}

/** The state as a URL-safe string. */
export async function encodePermalink(state: PermalinkState<object>): Promise<string> {
  const envelope: Record<string, unknown> = { v: PERMALINK_VERSION, seed: state.seed, t: state.t };
  if (state.scenario !== undefined) envelope.scenario = state.scenario;
  if (state.params !== undefined) envelope.params = state.params;
  const compressed = new Blob([JSON.stringify(envelope)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return toBase64Url(new Uint8Array(await new Response(compressed).arrayBuffer()));
}

/** Decodes and validates a payload. */
export async function decodePermalink<P = Record<string, unknown>>(payload: string, options: DecodeOptions<P> = {}): Promise<DecodeResult<P>> {
  const fail = (error: string): DecodeResult<P> => ({ ok: false, error });
  if (payload.length === 0) return fail('The link holds no state.');
  if (payload.length > MAX_PERMALINK_CHARS)
    return fail(`The link's state is too long (${payload.length} characters, at most ${MAX_PERMALINK_CHARS}).`);
  const bytes = fromBase64Url(payload);
  if (!bytes) return fail('The link is damaged: its state is not valid base64url text.');
  const inflated = await inflate(bytes);
  if (inflated === 'too-large') return fail('The link is damaged: its state is far too large.');
  if (!inflated || inflated.length === 0) return fail('The link is damaged: its state could not be decompressed.');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(inflated));
  } catch {
    return fail('The link is damaged: its state is not valid JSON.');
  }
  const problem = envelopeProblem(value);
  if (problem) return fail(`The link's ${problem[0]} is not valid: ${problem[1]}.`);
  const envelope = value as { seed: number; t: number; scenario?: unknown; params?: unknown };
  const state: PermalinkState<P> = { seed: envelope.seed, t: envelope.t };
  if (envelope.params !== undefined) {
    if (options.params) {
      const params = safeParse(options.params, envelope.params);
      if (!params.success) {
        const issue = params.error.issues[0]!;
        const where = issue.path.length > 0 ? `params.${issue.path.map(String).join('.')}` : 'params';
        return fail(`The link's ${where} is not valid: ${issue.message}.`);
      }
      state.params = params.data;
    } else {
      const flat = flatParamsProblem(envelope.params);
      if (flat) return fail(`The link's ${flat[0]} is not valid: ${flat[1]}.`);
      state.params = envelope.params as P;
    }
  }
  if (envelope.scenario !== undefined) {
    if (!options.scenario) return fail('The link carries a scenario, which this widget does not take.');
    const checked = await options.scenario(envelope.scenario);
    if (!checked.ok) return fail(`The link's scenario is not valid: ${checked.errors.slice(0, 3).join('; ')}.`);
    state.scenario = checked.scenario;
  }
  return { ok: true, state };
}

/**
 * The URL of `href` with this widget's state set (other widgets' parameters are kept), opening at
 * the widget: its root element carries the widget id, and the browser scrolls there (which also
 * wakes a `client:visible` widget far down a chapter).
 */
export async function permalinkUrl(widgetId: string, state: PermalinkState<object>, href: string): Promise<string> {
  const url = new URL(href);
  url.searchParams.set(widgetId, await encodePermalink(state));
  url.hash = widgetId;
  return url.toString();
}

/**
 * The state this widget finds in `search` (a URL query such as `location.search`): null when the
 * link carries none for it, else the decoded result.
 */
export async function readPermalink<P = Record<string, unknown>>(widgetId: string, search: string, options: DecodeOptions<P> = {}): Promise<DecodeResult<P> | null> {
  const payload = new URLSearchParams(search).get(widgetId);
  if (payload === null) return null;
  return decodePermalink(payload, options);
}

/** [where, what] for the first problem of the envelope `{ v, seed, t, scenario?, params? }`, or null. */
function envelopeProblem(value: unknown): [string, string] | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['state', 'expected an object'];
  const o = value as Record<string, unknown>;
  if (o.v !== PERMALINK_VERSION) return ['v', `expected version ${PERMALINK_VERSION}`];
  if (typeof o.seed !== 'number') return ['seed', 'expected a number'];
  if (!Number.isInteger(o.seed)) return ['seed', 'expected an integer'];
  if (o.seed < 0) return ['seed', 'expected a seed of at least 0'];
  if (typeof o.t !== 'number' || !Number.isFinite(o.t)) return ['t', 'expected a number'];
  if (o.t < 0) return ['t', 'expected a time of at least 0'];
  const extra = Object.keys(o).find((k) => !['v', 'seed', 't', 'scenario', 'params'].includes(k));
  return extra === undefined ? null : ['state', `unexpected key "${extra}"`];
}

/** Without a widget schema, params may only be a flat object of numbers, short strings, booleans, null. */
function flatParamsProblem(value: unknown): [string, string] | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['params', 'expected an object'];
  for (const [key, v] of Object.entries(value)) {
    const ok = v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 200);
    if (!ok) return [`params.${key}`, 'expected a number, a short text, true/false or null'];
  }
  return null;
}

/** Inflates raw deflate bytes; null when they are not deflate data, 'too-large' past MAX_JSON_BYTES. */
async function inflate(bytes: Uint8Array): Promise<Uint8Array | null | 'too-large'> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_JSON_BYTES) {
        void reader.cancel().catch(() => {});
        return 'too-large';
      }
      chunks.push(value);
    }
  } catch {
    return null;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) return null;
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    const binary = atob(base64);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/**
 * Copies a link's values onto a widget's state: every key of `values` that `target` has (a state
 * class's fields, own or accessors), skipping undefined ones; keys it lacks are left out, so a
 * link's extra field cannot add one. Returns the keys copied. `Permalink.restoreInto` uses it.
 */
export function assignKnown(target: object, values: Readonly<Record<string, unknown>>): string[] {
  const copied: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || !(key in target)) continue;
    (target as Record<string, unknown>)[key] = value;
    copied.push(key);
  }
  return copied;
}
