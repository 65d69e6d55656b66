/**
 * How "check your understanding" questions are built. Each course module's `checks()` computes
 * its right answer by running the same engines the widget uses; the wrong choices are the answers
 * a reader gets from a typical slip (forgetting the masking key, counting one round trip per
 * packet...), also computed, never typed in.
 */
import type { CheckQuestion } from './types.ts';

/** A wrong answer and the misconception that produces it ("forgets the masking key"). */
export interface Slip {
  value: number;
  slip: string;
}

/**
 * A question whose choices are the distinct values, sorted, with the answer's index found. A
 * distractor given as a `Slip` names its misconception, which the page shows when it is picked.
 */
export function numericQuestion(id: string, prompt: string, answer: number, distractors: (number | Slip)[], unit: string, explanation: string): CheckQuestion {
  const wrong = distractors.map((d) => (typeof d === 'number' ? { value: d, slip: null } : d)).filter((d) => Number.isFinite(d.value) && d.value >= 0 && d.value !== answer);
  const values = [...new Set([answer, ...wrong.map((d) => d.value)])].sort((a, b) => a - b);
  const slips = values.map((v) => wrong.find((d) => d.value === v && d.slip !== null)?.slip ?? null);
  return {
    id,
    prompt,
    choices: values.map((v) => `${v.toLocaleString('en-US', { maximumFractionDigits: 1 })}${unit}`),
    answer: values.indexOf(answer),
    explanation,
    ...(slips.some((s) => s !== null) ? { slips } : {}),
  };
}
