/**
 * Checks of a scenario's JSON before the schema sees it, over the whole value, unknown fields
 * included (node and option objects are loose, so the schema passes those through unread):
 * nesting depth, number of values, string lengths, and keys that name JavaScript's object
 * machinery (`__proto__`, `constructor`, `prototype`), which must never reach a copy of the
 * object. Iterative, so a 10,000-deep list is refused, not a stack overflow.
 */
import { LIMITS } from './limits.ts';

export interface ShapeProblem {
  path: (string | number)[];
  message: string;
}

/** Keys refused anywhere in a scenario: assigning them to an object can change its prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);


export function shapeProblems(json: unknown): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  // The count that matters most, named before the generic one could hide it.
  const nodes = json !== null && typeof json === 'object' ? (json as { nodes?: unknown }).nodes : undefined;
  if (Array.isArray(nodes) && nodes.length > LIMITS.nodes)
    return [{ path: ['nodes'], message: `expected at most ${LIMITS.nodes} nodes [limit nodes], got ${nodes.length}` }];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: json, path: [] }];
  let values = 0;
  let chars = 0;
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (++values > LIMITS.values) {
      return [{ path: [], message: `expected at most ${LIMITS.values} values (objects, lists, numbers, strings) in one scenario [limit values]` }];
    }
    if (typeof value === 'string') {
      chars += value.length;
      if (value.length > LIMITS.stringChars) problems.push({ path, message: `expected a string of at most ${LIMITS.stringChars} characters [limit stringChars], got ${value.length}` });
      else if (chars > LIMITS.fileBytes) return [{ path: [], message: `expected at most ${LIMITS.fileBytes} characters of strings in one scenario [limit fileBytes]` }];
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= LIMITS.depth) {
      problems.push({ path, message: `expected values nested at most ${LIMITS.depth} deep [limit depth]` });
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (key.length > LIMITS.textChars) {
        problems.push({ path, message: `expected field names of at most ${LIMITS.textChars} characters` });
        continue;
      }
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({ path: [...path, key], message: 'a field with this name is not allowed (it names JavaScript\'s object machinery)' });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
    if (problems.length >= 20) break;
  }
  return problems;
}
