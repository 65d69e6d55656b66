// @ts-check
/**
 * mqtt-packet's `debug` calls cost nothing in the simulator's worker: its `require('debug')` is
 * resolved to ./quiet-debug.cjs, a logger that is off and does nothing, instead of the `debug`
 * package's browser build (which, off, still gathers every call's arguments and asks a getter
 * whether its namespace is enabled). The CLI does the same through Node's module cache
 * (simulator/cli/quiet-debug.ts). Only imports from inside mqtt-packet are redirected, and the
 * plugin is given to the worker bundle only (astro.config.mjs `vite.worker.plugins`): in the
 * browser nobody can turn those logs on anyway (a worker has no localStorage, where `debug` looks).
 * tests/browser/lab-scale.test.ts checks the built worker holds the stub and not `debug`.
 */
const STUB = new URL('./quiet-debug.cjs', import.meta.url).pathname;

/** @returns {import('vite').Plugin} */
export function quietDebugInWorker() {
  return {
    name: 'wirelab-quiet-debug',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== 'debug' || importer === undefined) return undefined;
      return /[\\/]node_modules[\\/]mqtt-packet[\\/]/.test(importer) ? STUB : undefined;
    },
  };
}
