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
