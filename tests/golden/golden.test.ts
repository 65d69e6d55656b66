/**
 * Behaviour pinned (./compute.ts): each example scenario's result and the first numbers of each
 * named random stream. When a change of behaviour is intended, regenerate with
 * `npm run golden:update` and commit the diff of tests/golden/*.json with the change (say in the
 * commit why the figures moved).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleFiles, GOLDEN_EXAMPLES, GOLDEN_STREAMS, goldenExample, goldenStreams, UPDATE_COMMAND, type GoldenExample } from './compute.ts';

const pinned = JSON.parse(readFileSync(GOLDEN_EXAMPLES, 'utf8')) as Record<string, GoldenExample>;
const hint = `behaviour changed; if that is intended, run \`${UPDATE_COMMAND}\` and commit the diff of tests/golden/`;

describe('golden results of the example scenarios', () => {
  it('cover exactly the example files', () => {
    expect(Object.keys(pinned), `${hint} (an example was added or removed)`).toEqual(exampleFiles());
  });

  it.each(exampleFiles())('%s gives its pinned result', (file) => {
    const now = goldenExample(file);
    // Headline figures first: the diff shows which flow moved and how.
    expect(now.flows, `${file}: ${hint}`).toEqual(pinned[file]?.flows);
    expect(now.traceRecords, `${file}: trace records; ${hint}`).toBe(pinned[file]?.traceRecords);
    expect(now.resultSha256, `${file}: SHA-256 of the result JSON; ${hint}`).toBe(pinned[file]?.resultSha256);
  });
});

describe('named random streams', () => {
  it('give their pinned first numbers', () => {
    expect(goldenStreams(), `random streams: ${hint}`).toEqual(JSON.parse(readFileSync(GOLDEN_STREAMS, 'utf8')));
  });
});
