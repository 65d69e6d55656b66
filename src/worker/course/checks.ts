/**
 * How "check your understanding" questions are built. Each course module's `checks()` computes
 * its right answer by running the same engines the widget uses; the wrong choices are the answers
 * a reader gets from a typical slip (forgetting the masking key, counting one round trip per
 * packet...), also computed, never typed in.
 */
import type { CheckQuestion } from './types.ts';

/** A question whose choices are the distinct values, sorted, with the answer's index found. */
export function numericQuestion(id: string, prompt: string, answer: number, distractors: number[], unit: string, explanation: string): CheckQuestion {
  const values = [...new Set([answer, ...distractors.filter((d) => Number.isFinite(d) && d >= 0)])].sort((a, b) => a - b);
  return {
    id,
    prompt,
    choices: values.map((v) => `${v.toLocaleString('en-US', { maximumFractionDigits: 1 })}${unit}`),
    answer: values.indexOf(answer),
    explanation,
  };
}
