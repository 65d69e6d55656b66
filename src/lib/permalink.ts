/**
 * Permalinks: a widget's whole state (scenario, seed, position in time, and its own small
 * parameters) in the page URL, so opening the link reproduces exactly what the sender saw.
 *
 * Format: the query parameter named after the widget (`?lab=...`, `?two-ways=...`) holds
 * base64url( deflate-raw( JSON ) ), where the JSON is `{ v: 1, seed, t, scenario?, params? }`.
 *
 * A permalink is untrusted input. Decoding validates every step (size, base64url, inflate, JSON,
 * shape, then the scenario with the scenario schema) and returns a message that names what is
 * wrong; callers then show that message as text and fall back to their default state.
 */
import { deflateRaw, inflateRaw } from 'pako';
import * as z from 'zod';
import { parseScenario, type Scenario } from '../../simulator/scenarios/schema.ts';

export const PERMALINK_VERSION = 1;
/** Longest payload accepted (characters): links longer than this are not worth sharing. */
export const MAX_PERMALINK_CHARS = 8_000;
/** Largest decoded JSON accepted (characters), so a crafted link cannot inflate into megabytes. */
const MAX_JSON_CHARS = 200_000;

export interface PermalinkState {
  /** The scenario the widget ran (validated with the scenario schema on load). */
  scenario?: Scenario;
  seed: number;
  /** Position in simulated time, µs (where the animation or the step-through stood). */
  t: number;
  /** The widget's own small settings (payload size, chosen packet...), checked by its schema. */
  params?: Record<string, unknown>;
}

export type DecodeResult = { ok: true; state: PermalinkState } | { ok: false; error: string };

/** What a widget's `params` may hold when it passes no schema of its own. */
const defaultParamsSchema = z.record(z.string(), z.union([z.number(), z.string().max(200), z.boolean(), z.null()]));

const envelopeSchema = z.strictObject({
  v: z.literal(PERMALINK_VERSION, { error: `expected version ${PERMALINK_VERSION}` }),
  seed: z.number({ error: 'expected a number' }).int({ error: 'expected an integer' }).min(0, { error: 'expected a seed of at least 0' }),
  t: z.number({ error: 'expected a number' }).min(0, { error: 'expected a time of at least 0' }).finite(),
  scenario: z.unknown().optional(),
  params: z.unknown().optional(),
});

/** The state as a URL-safe string. */
export function encodePermalink(state: PermalinkState): string {
  const envelope: Record<string, unknown> = { v: PERMALINK_VERSION, seed: state.seed, t: state.t };
  if (state.scenario !== undefined) envelope.scenario = state.scenario;
  if (state.params !== undefined) envelope.params = state.params;
  const bytes = deflateRaw(new TextEncoder().encode(JSON.stringify(envelope)), { level: 9 });
  return toBase64Url(bytes);
}

/**
 * Decodes and validates a payload. `paramsSchema` checks the widget's own `params` (default: a
 * flat object of numbers, short strings and booleans).
 */
export function decodePermalink(payload: string, paramsSchema: z.ZodType<Record<string, unknown>> = defaultParamsSchema): DecodeResult {
  const fail = (error: string): DecodeResult => ({ ok: false, error });
  if (payload.length === 0) return fail('The link holds no state.');
  if (payload.length > MAX_PERMALINK_CHARS)
    return fail(`The link's state is too long (${payload.length} characters, at most ${MAX_PERMALINK_CHARS}).`);
  const bytes = fromBase64Url(payload);
  if (!bytes) return fail('The link is damaged: its state is not valid base64url text.');
  let json: string;
  try {
    const inflated = inflateRaw(bytes);
    if (!(inflated instanceof Uint8Array) || inflated.length === 0) return fail('The link is damaged: its state could not be decompressed.');
    if (inflated.length > MAX_JSON_CHARS) return fail('The link is damaged: its state is far too large.');
    json = new TextDecoder('utf-8', { fatal: true }).decode(inflated);
  } catch {
    return fail('The link is damaged: its state could not be decompressed.');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail('The link is damaged: its state is not valid JSON.');
  }
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) {
    const issue = envelope.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'state';
    return fail(`The link's ${where} is not valid: ${issue.message}.`);
  }
  const state: PermalinkState = { seed: envelope.data.seed, t: envelope.data.t };
  if (envelope.data.scenario !== undefined) {
    const parsed = parseScenario(envelope.data.scenario);
    if (!parsed.ok) return fail(`The link's scenario is not valid: ${parsed.errors.slice(0, 3).join('; ')}.`);
    state.scenario = parsed.scenario;
  }
  if (envelope.data.params !== undefined) {
    const params = paramsSchema.safeParse(envelope.data.params);
    if (!params.success) {
      const issue = params.error.issues[0]!;
      const where = issue.path.length > 0 ? `params.${issue.path.join('.')}` : 'params';
      return fail(`The link's ${where} is not valid: ${issue.message}.`);
    }
    state.params = params.data;
  }
  return { ok: true, state };
}

/**
 * The URL of `href` with this widget's state set (other widgets' parameters are kept), opening at
 * the widget: its root element carries the widget id, and the browser scrolls there (which also
 * wakes a `client:visible` widget far down a chapter).
 */
export function permalinkUrl(widgetId: string, state: PermalinkState, href: string): string {
  const url = new URL(href);
  url.searchParams.set(widgetId, encodePermalink(state));
  url.hash = widgetId;
  return url.toString();
}

/**
 * The state this widget finds in `search` (a URL query such as `location.search`): null when the
 * link carries none for it, else the decoded result.
 */
export function readPermalink(
  widgetId: string,
  search: string,
  paramsSchema?: z.ZodType<Record<string, unknown>>,
): DecodeResult | null {
  const payload = new URLSearchParams(search).get(widgetId);
  if (payload === null) return null;
  return decodePermalink(payload, paramsSchema);
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
