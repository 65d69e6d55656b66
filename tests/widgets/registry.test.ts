/**
 * The course-module registry (src/worker/course/index.ts): every module checks its input before
 * running, answers at its defaults, and `course(name, input)` refuses unknown names and bad input
 * with a message naming the field.
 */
import { describe, expect, it } from 'vitest';
import type { CheckName, CourseInput, CourseName, FigureKey } from '../../src/worker/api.ts';
import { COURSE, courseChecks, courseFigures, runCourse } from '../../src/worker/course/index.ts';

describe('the course registry', () => {
  it('finds every module file of src/worker/course/ by itself, under its own name', () => {
    // The three chapters' modules at least (a new module file joins by itself, without editing this test).
    expect(Object.keys(COURSE)).toEqual(expect.arrayContaining(['handshake', 'overhead', 'twoWays']));
    for (const [name, module] of Object.entries(COURSE)) expect(module.name).toBe(name);
  });

  it('runs every module at its defaults, and each default passes its own schema', () => {
    for (const [name, module] of Object.entries(COURSE)) {
      expect(module.input.safeParse(module.defaults).success, name).toBe(true);
      expect(runCourse(name, module.defaults), name).toBeTruthy();
    }
  });

  it('refuses an unknown module and an input its schema rejects, naming the field', () => {
    expect(() => runCourse('nope', {})).toThrow('there is no course module named "nope"');
    expect(() => runCourse('overhead', { ...COURSE.overhead.defaults, payloadBytes: -1 })).toThrow(/^the overhead widget's input is not valid: payloadBytes: /);
    expect(() => runCourse('handshake', { ...COURSE.handshake.defaults, extra: 1 })).toThrow(/input is not valid: input: Unrecognized key: "extra"/);
    // A prototype key is not a module.
    expect(() => runCourse('toString', {})).toThrow('there is no course module named "toString"');
  });

  it('names every figure <module>.<figure>, as FigureKey types them', () => {
    const keys = Object.keys(courseFigures()).sort();
    // Compile-time: these are FigureKeys; a typo here fails `npm run check`.
    const some: FigureKey[] = ['overhead.mqttPublish20', 'handshake.acceptExample', 'twoWays.wsFanout'];
    for (const k of some) expect(keys).toContain(k);
    expect(keys.every((k) => Object.hasOwn(COURSE, k.split('.')[0]!) && /^[A-Za-z0-9]+\.[A-Za-z0-9]+$/.test(k))).toBe(true);
    // Counted in the modules' figures(): a figure lost in a refactoring shows here.
    const per = (m: string) => keys.filter((k) => k.startsWith(`${m}.`)).length;
    expect({ twoWays: per('twoWays'), handshake: per('handshake'), overhead: per('overhead') }).toEqual({ twoWays: 18, handshake: 33, overhead: 18 });
  });

  it('gives each module with checks its questions, each answer among its choices', () => {
    for (const name of Object.keys(COURSE).filter((n) => (COURSE as unknown as Record<string, { checks?: unknown }>)[n]!.checks) as CheckName[]) {
      const questions = courseChecks(name);
      expect(questions.length, name).toBeGreaterThan(0);
      for (const q of questions) expect(q.answer, q.id).toBeGreaterThanOrEqual(0);
    }
  });

  it('types course inputs by the registry', () => {
    const input: CourseInput<'handshake'> = { latencyMs: 10, tls: true, mqttVersion: '5' };
    const name: CourseName = 'handshake';
    expect(runCourse(name, input)).toMatchObject({ rttMs: 20 });
  });
});
