// How the CLI (bin/wirelab.mjs), its sweep workers (bin/sweep-worker.mjs) and the benchmarks load
// the simulator's TypeScript: import this module first.
//
// On a Node that can rewrite TypeScript itself (module.registerHooks and stripTypeScriptTypes:
// Node >= 22.15), .ts files are turned into JavaScript by Node's own transform (types removed,
// parameter properties written out) in a synchronous load hook. Elsewhere (Node 20), through tsx.
//
// Why not tsx everywhere: tsx compiles with esbuild's keepNames, which wraps every named function
// and arrow function in `__name(fn, "fn")`, an Object.defineProperty on the function. That gives
// each such closure a property dictionary of its own (about 256 bytes) and costs a call each time
// one is made. Measured on the 3,000-device fleet (bench/fleet.ts) after 3 s simulated: 165,000
// closures held 42 MB of such dictionaries, 23 % of the heap. The simulator's output is the same
// either way (tests/cli/loader.test.ts).
import module from 'node:module';

const native = typeof module.registerHooks === 'function' && typeof module.stripTypeScriptTypes === 'function';

if (native && process.env.WIRELAB_TS_LOADER !== 'tsx') {
  const strip = module.stripTypeScriptTypes;
  // Node warns once that the transform is experimental; the CLI's output must not carry that.
  const quietly = (source) => {
    const emit = process.emitWarning;
    process.emitWarning = (warning, ...rest) => {
      if (!String(warning).includes('stripTypeScriptTypes')) emit.call(process, warning, ...rest);
    };
    try {
      return strip(source, { mode: 'transform' });
    } finally {
      process.emitWarning = emit;
    }
  };
  module.registerHooks({
    load(url, context, nextLoad) {
      if (!url.startsWith('file:') || !/\.m?ts$/.test(new URL(url).pathname)) return nextLoad(url, context);
      const loaded = nextLoad(url, { ...context, format: 'module' });
      return { format: 'module', source: quietly(String(loaded.source)), shortCircuit: true };
    },
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
}

/** Which loader this process uses: 'node' (Node's own transform) or 'tsx'. */
export const typescriptLoader = native && process.env.WIRELAB_TS_LOADER !== 'tsx' ? 'node' : 'tsx';
