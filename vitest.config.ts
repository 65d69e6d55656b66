import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run fuzz` (fuzz/run.ts) sets WIRELAB_FC_RUNS_FACTOR: then every property runs that many
// times its usual number of cases (fuzz/fast-check.ts). `npm test` never sets it.
const fuzzing = (process.env['WIRELAB_FC_RUNS_FACTOR'] ?? '') !== '';
const fuzzAlias = fuzzing ? [{ find: /^fast-check$/, replacement: fileURLToPath(new URL('./fuzz/fast-check.ts', import.meta.url)) }] : [];

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: fuzzAlias },
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/browser/**', 'node_modules/**'],
          environment: 'node',
          // Fixed fast-check seed for every property (tests/support/fast-check-setup.ts).
          setupFiles: ['tests/support/fast-check-setup.ts'],
          // Tests are not timed (figures go to npm run bench): a timeout only catches a hang, and
          // 5 s (vitest's default) is too short for the scenario properties on a busy machine.
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          // One built site and one Chromium are shared by the browser tests: run files in sequence.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
