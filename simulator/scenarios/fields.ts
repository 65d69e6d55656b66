/**
 * Small zod builders shared by the scenario schema (./schema.ts) and the role option schemas
 * (./node-options.ts). Each carries the message a reader sees, so `parseScenario` can print
 * `path: expected ..., got ...` with no further work.
 */
import * as z from 'zod';

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

export function numberIn(min: number, max: number, opts: { int?: boolean; minExclusive?: boolean } = {}) {
  const what = opts.int ? 'an integer' : 'a number';
  const range =
    max === Infinity
      ? opts.minExclusive
        ? `greater than ${min}`
        : `of at least ${min}`
      : `from ${min} to ${max}`;
  const msg = `expected ${what} ${range}`;
  let n = z.number({ error: msg });
  if (opts.int) n = n.int({ error: msg });
  n = opts.minExclusive ? n.gt(min, { error: msg }) : n.gte(min, { error: msg });
  if (max !== Infinity) n = n.lte(max, { error: msg });
  return n;
}

export const nonNegative = () => numberIn(0, Infinity);
export const positive = () => numberIn(0, Infinity, { minExclusive: true });
export const positiveInt = () => numberIn(1, Infinity, { int: true });
export const nonNegativeInt = () => numberIn(0, Infinity, { int: true });
export const portNumber = () => numberIn(1, 65535, { int: true });
export const text = (what = 'a non-empty string') => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
export const bool = () => z.boolean({ error: 'expected true or false' });

/**
 * `true`, `false` or an options object, as the ws roles read `deflate`, `appAcks`, `reconnect`
 * (true = the object's defaults). The object branch comes first: `parseScenario` reports the
 * union branch with the fewest issues, the first on a tie, so a bad field inside the object is
 * reported by its own path rather than as "expected true or false".
 */
export function boolOr<T extends z.ZodType>(object: T) {
  return z.union([object, bool()]);
}
