/**
 * Widgets' first answers travel from the build to the browser as text in the HTML: bytes survive
 * the trip, and a widget asks the worker again only when its input differs from the answer's.
 */
import { describe, expect, it } from 'vitest';
import { decodeAnswer, encodeAnswer, sameInput } from '../../src/components/widgets/lib/answerCodec.ts';
import type { CourseOutput } from '../../src/worker/api.ts';
import { runCourse, COURSE } from '../../src/worker/course/index.ts';

describe('initial answers', () => {
  it('round-trips a course answer with its bytes', () => {
    const answer = runCourse('overhead', COURSE.overhead.defaults) as CourseOutput<'overhead'>;
    const back = decodeAnswer(encodeAnswer(answer)) as typeof answer;
    expect(back).toEqual(answer);
    expect(back.mqttPublish.bytes).toBeInstanceOf(Uint8Array);
    // 38 bytes: the 20-byte reading's PUBLISH (tests/widgets/course/overhead.test.ts)
    expect(back.mqttPublish.totalBytes).toBe(38);
  });

  it('leaves plain objects that merely have a $bytes key alone when they have others too', () => {
    expect(decodeAnswer('{"a":{"$bytes":"AQI=","b":1}}')).toEqual({ a: { $bytes: 'AQI=', b: 1 } });
    expect(decodeAnswer('{"a":{"$bytes":"AQI="}}')).toEqual({ a: new Uint8Array([1, 2]) });
  });

  it('compares inputs by value, in any key order, ignoring absent optional fields', () => {
    expect(sameInput({ a: 1, b: 'x' }, { b: 'x', a: 1 })).toBe(true);
    expect(sameInput({ a: 1, c: undefined }, { a: 1 })).toBe(true);
    expect(sameInput({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameInput({ a: 1 }, { a: 1, b: false })).toBe(false);
    expect(sameInput({ a: 1 }, undefined)).toBe(false);
  });
});
