/** `npm run golden:update`: rewrites the golden results (./compute.ts). Review the diff, then commit it. */
import { writeFileSync } from 'node:fs';
import { GOLDEN_EXAMPLES, GOLDEN_STREAMS, goldenExamples, goldenStreams } from './compute.ts';

writeFileSync(GOLDEN_EXAMPLES, `${JSON.stringify(goldenExamples(), null, 2)}\n`);
writeFileSync(GOLDEN_STREAMS, `${JSON.stringify(goldenStreams(), null, 2)}\n`);
console.log(`wrote ${GOLDEN_EXAMPLES} and ${GOLDEN_STREAMS}: review the diff (git diff tests/golden) before committing`);
