/**
 * Small zod builders shared by the scenario schema (./schema.ts) and the role option schemas
 * (./node-options.ts). Each carries the message a reader sees, so `parseScenario` can print
 * `path: expected ..., got ...` with no further work. Every number and string has a finite upper
 * bound named in ./limits.ts: the message names the limit (`[limit seconds]`), so a reader knows
 * it is ours and not the protocol's.
 */
import * as z from 'zod';
import { topicFilterError, topicNameError } from '../protocols/mqtt/topics.ts';
import { LIMITS, type LimitName } from './limits.ts';

/**
 * Descriptions and $defs names for the JSON Schema, kept in a registry of our own (not zod's
 * global one) so a module reloaded by a dev server never collides with itself.
 */
export const jsonSchemaMeta = z.registry<{ id?: string; description?: string }>();

/** Attaches a description for docs/scenario.schema.json. */
export function doc<T extends z.ZodType>(schema: T, description: string): T {
  jsonSchemaMeta.add(schema, { description });
  return schema;
}

export interface NumberOptions {
  int?: boolean;
  minExclusive?: boolean;
  /** The ./limits.ts name of `max`, shown in the message. */
  limit?: LimitName;
}

export function numberIn(min: number, max: number, opts: NumberOptions = {}) {
  if (!Number.isFinite(max)) throw new RangeError('numberIn: every number in the schema needs a finite maximum (./limits.ts)');
  const what = opts.int ? 'an integer' : 'a number';
  const range = opts.minExclusive ? `greater than ${min} and at most ${max}` : `from ${min} to ${max}`;
  const msg = `expected ${what} ${range}${opts.limit ? ` [limit ${opts.limit}]` : ''}`;
  let n = z.number({ error: msg });
  if (opts.int) n = n.int({ error: msg });
  n = opts.minExclusive ? n.gt(min, { error: msg }) : n.gte(min, { error: msg });
  return n.lte(max, { error: msg });
}

/** A number in [0, LIMITS[limit]]. */
export const nonNegative = (limit: LimitName) => numberIn(0, LIMITS[limit], { limit });
/** A number in (0, LIMITS[limit]]. */
export const positive = (limit: LimitName) => numberIn(0, LIMITS[limit], { minExclusive: true, limit });
export const positiveInt = (limit: LimitName) => numberIn(1, LIMITS[limit], { int: true, limit });
export const nonNegativeInt = (limit: LimitName) => numberIn(0, LIMITS[limit], { int: true, limit });
export const portNumber = () => numberIn(1, 65535, { int: true });
export const bool = () => z.boolean({ error: 'expected true or false' });

/** A string of at most LIMITS.textChars characters; non-empty unless `empty`. */
export const text = (what = 'a non-empty string', { empty = false, limit = 'textChars' as LimitName } = {}) =>
  z
    .string({ error: `expected ${what}` })
    .min(empty ? 0 : 1, { error: `expected ${what}` })
    .max(LIMITS[limit], { error: `expected ${what} of at most ${LIMITS[limit]} characters [limit ${limit}]` });

/** UTF-8 length of a well-formed string, without allocating it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

// With the u flag a paired surrogate is one code point, so only a lone one matches.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/**
 * An MQTT UTF-8 string (MQTT 3.1.1 section 1.5.3, MQTT 5 section 1.5.4): well-formed (no lone
 * surrogate: it has no UTF-8 form [MQTT-1.5.3-1]), no U+0000 [MQTT-1.5.3-2], at most 65,535 bytes
 * of UTF-8 (the two-byte length).
 */
export function mqttString(what: string, { empty = false } = {}) {
  return z
    .string({ error: `expected ${what}` })
    .min(empty ? 0 : 1, { error: `expected ${what}` })
    .max(LIMITS.mqttStringBytes, { error: `expected ${what} of at most ${LIMITS.mqttStringBytes} bytes of UTF-8 [limit mqttStringBytes]` })
    .superRefine((s, ctx) => {
      if (s.length > LIMITS.mqttStringBytes) return; // already reported by max
      if (LONE_SURROGATE.test(s))
        ctx.addIssue({ code: 'custom', message: `expected ${what} in well-formed Unicode: it has a lone surrogate, which has no UTF-8 form [MQTT-1.5.3-1]` });
      else if (s.includes('\u0000')) ctx.addIssue({ code: 'custom', message: `expected ${what} without the character U+0000 [MQTT-1.5.3-2]` });
      else if (utf8Length(s) > LIMITS.mqttStringBytes)
        ctx.addIssue({ code: 'custom', message: `expected ${what} of at most ${LIMITS.mqttStringBytes} bytes of UTF-8 [limit mqttStringBytes], got ${utf8Length(s)}` });
    });
}

/**
 * An MQTT topic name or filter: an MQTT string (above) that the engine's own check
 * (../protocols/mqtt/topics.ts) accepts, so the schema refuses exactly what the client would.
 */
export function mqttTopic(kind: 'name' | 'filter') {
  const what = kind === 'name' ? 'a topic name' : 'a topic filter';
  return mqttString(what).superRefine((t, ctx) => {
    if (t.length > LIMITS.mqttStringBytes || LONE_SURROGATE.test(t) || t.includes('\u0000')) return; // reported above
    const why = kind === 'name' ? topicNameError(t) : topicFilterError(t);
    if (why !== undefined) ctx.addIssue({ code: 'custom', message: `expected ${what}: ${why}` });
  });
}

/** A list of at most LIMITS[limit] entries. */
export function list<T extends z.ZodType>(item: T, what: string, limit: LimitName = 'listEntries') {
  return z
    .array(item, { error: `expected a list of ${what}` })
    .max(LIMITS[limit], { error: `expected at most ${LIMITS[limit]} ${what} [limit ${limit}]` });
}

/**
 * `true`, `false` or an options object, as the ws roles read `deflate`, `appAcks`, `reconnect`
 * (true = the object's defaults). The object branch comes first: `parseScenario` reports the
 * union branch with the fewest issues, the first on a tie, so a bad field inside the object is
 * reported by its own path rather than as "expected true or false".
 */
export function boolOr<T extends z.ZodType>(object: T) {
  return z.union([object, bool()]);
}
