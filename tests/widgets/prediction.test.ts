/**
 * Predict-then-reveal judgements (src/components/widgets/Prediction.ts) and the checks' named
 * slips (numericQuestion in src/worker/course/checks.ts): the shared pedagogy pieces of issue 11.
 */
import { describe, expect, it } from 'vitest';
import { judgeChoice, judgeNumber } from '../../src/components/widgets/Prediction.ts';
import { numericQuestion } from '../../src/worker/course/checks.ts';

describe('judgeNumber', () => {
  const slips = [{ value: 50, slip: 'Counts one crossing of the link, not the broker hop.' }];

  it('is right within the tolerance (25 % of the result by default)', () => {
    // |120 - 100| / 100 = 0.2 <= 0.25.
    expect(judgeNumber(120, 100, 'ms')).toEqual({ verdict: 'right', text: 'Right: the simulation gave 100 ms.' });
  });

  it('is close within twice the tolerance, saying by how much', () => {
    // 0.4 off: between 0.25 and 0.5.
    expect(judgeNumber(140, 100, 'ms')).toEqual({ verdict: 'close', text: 'Close: your guess is 40 ms higher than the result (100 ms).' });
  });

  it('says "times" when the guess is off by a factor of two or more', () => {
    expect(judgeNumber(25, 100, 'ms').text).toBe('Your guess is 4 times smaller than the result (100 ms).');
    expect(judgeNumber(300, 100, 'ms').text).toBe('Your guess is 3 times the result (100 ms).');
  });

  it('names the slip a wrong guess lies nearer to than to the result', () => {
    // 55 is within 25 % of the slip's 50 and 5 from it, against 45 from the result: 0.45 off would
    // be "close", but a guess that matches a named slip is wrong.
    expect(judgeNumber(55, 100, 'ms', slips)).toEqual({
      verdict: 'wrong',
      text: 'Your guess is 45 ms lower than the result (100 ms).',
      slip: 'Counts one crossing of the link, not the broker hop.',
    });
    // 75 is 25 from the slip's value but 25 % of 50 is 12.5: no slip named.
    expect(judgeNumber(75, 100, 'ms', slips).slip).toBeUndefined();
  });

  it('never names a slip for a right guess, and refuses a non-number', () => {
    expect(judgeNumber(100, 100, 'ms', [{ value: 100, slip: 'x' }]).slip).toBeUndefined();
    expect(judgeNumber(Number.NaN, 100).verdict).toBe('wrong');
  });
});

describe('judgeChoice', () => {
  const choices = [
    { label: 'They are lost.', slip: 'Takes a dropped packet for a lost message: TCP resends it.' },
    { label: 'They arrive late, in order.' },
    { label: 'They arrive out of order.' },
  ];

  it('is right for the answer and shows the slip of a wrong pick', () => {
    expect(judgeChoice(1, choices, 1)).toEqual({ verdict: 'right', text: 'Right: They arrive late, in order.' });
    expect(judgeChoice(0, choices, 1)).toEqual({
      verdict: 'wrong',
      text: 'The experiment shows: They arrive late, in order.',
      slip: 'Takes a dropped packet for a lost message: TCP resends it.',
    });
    expect(judgeChoice(2, choices, 1).slip).toBeUndefined();
  });
});

describe('numericQuestion with named slips', () => {
  it('keeps each slip beside its choice after sorting, null where none is named', () => {
    const q = numericQuestion('x', 'p', 4, [{ value: 8, slip: 'counts both ways' }, 2, { value: 4, slip: 'never shown' }], ' ms', 'e');
    expect(q.choices).toEqual(['2 ms', '4 ms', '8 ms']);
    expect(q.answer).toBe(1);
    expect(q.slips).toEqual([null, null, 'counts both ways']);
  });

  it('adds no slips field when no distractor names one (questions stay as before)', () => {
    expect(numericQuestion('x', 'p', 4, [2, 8], '', 'e')).not.toHaveProperty('slips');
  });
});
