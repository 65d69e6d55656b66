/**
 * Predict, then reveal (issue 11, "Pedagogy"): the pure part of <Predict>. A reader commits to a
 * guess, a number or one of several choices, before a widget shows its result; then the guess is
 * judged against what the simulator measured, and a wrong guess is told which misconception it
 * comes from. The slips are the widget's own, computed like the checks' distractors
 * (src/worker/course/checks.ts): a value a named mistake leads to, never typed in by hand.
 */

/** One option of a choice prediction, and the misconception behind picking it when it is wrong. */
export interface PredictChoice {
  label: string;
  /** Why a reader would pick this wrong option: the slip, as a sentence. */
  slip?: string;
}

/** A number a named slip leads to ("forgets the broker hop" gives half the latency). */
export interface NumberSlip {
  value: number;
  slip: string;
}

export type PredictVerdict = 'right' | 'close' | 'wrong';

export interface PredictJudgement {
  verdict: PredictVerdict;
  /** One sentence: how the guess compares with the result. */
  text: string;
  /** The misconception the guess matches, when it is wrong (or off) and one is known. */
  slip?: string;
}

/** How numbers are written in a judgement: grouped thousands, at most one decimal. */
export function formatGuess(value: number, unit = ''): string {
  return `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })}${unit ? ` ${unit}` : ''}`;
}

/**
 * Judges a number. Within `tolerance` (relative to the result; 0.25 = 25 %) it is right; within
 * twice that, close. Otherwise it says how far off, and if the guess is nearer to a slip's value
 * than to the result (and within the tolerance of that value), it names that slip (and is wrong).
 */
export function judgeNumber(guess: number, actual: number, unit = '', slips: NumberSlip[] = [], tolerance = 0.25): PredictJudgement {
  if (!Number.isFinite(guess)) return { verdict: 'wrong', text: 'That is not a number.' };
  const scale = Math.max(Math.abs(actual), Number.EPSILON);
  const off = Math.abs(guess - actual) / scale;
  const result = formatGuess(actual, unit);
  if (off <= tolerance) return { verdict: 'right', text: `Right: the simulation gave ${result}.` };
  const direction = guess > actual ? 'higher' : 'lower';
  const ratio = actual === 0 ? null : guess / actual;
  const howFar = ratio !== null && ratio > 0 && (ratio >= 2 || ratio <= 0.5)
    ? `${ratio >= 1 ? formatGuess(ratio) : formatGuess(1 / ratio)} times ${ratio >= 1 ? 'the result' : 'smaller than the result'}`
    : `${formatGuess(Math.abs(guess - actual), unit)} ${direction} than the result`;
  const nearest = slips
    .filter((s) => Number.isFinite(s.value) && Math.abs(guess - s.value) <= tolerance * Math.max(Math.abs(s.value), Number.EPSILON))
    .sort((a, b) => Math.abs(guess - a.value) - Math.abs(guess - b.value))[0];
  const slip = nearest && Math.abs(guess - nearest.value) < Math.abs(guess - actual) ? nearest.slip : undefined;
  // A guess that matches a named slip is wrong even when it is near the result: the slip is the point.
  const verdict: PredictVerdict = off <= 2 * tolerance && !slip ? 'close' : 'wrong';
  const text = verdict === 'close' ? `Close: your guess is ${howFar} (${result}).` : `Your guess is ${howFar} (${result}).`;
  return slip ? { verdict, text, slip } : { verdict, text };
}

/** Judges a choice: right, or wrong with the slip the picked option carries. */
export function judgeChoice(picked: number, choices: PredictChoice[], answer: number): PredictJudgement {
  const right = choices[answer]?.label ?? '';
  if (picked === answer) return { verdict: 'right', text: `Right: ${right}` };
  const slip = choices[picked]?.slip;
  const text = `The experiment shows: ${right}`;
  return slip ? { verdict: 'wrong', text, slip } : { verdict: 'wrong', text };
}
