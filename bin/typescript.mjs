// How the CLI (bin/wirelab.mjs), its sweep workers (bin/sweep-worker.mjs) and the benchmarks load
// the simulator's TypeScript: import this module first.
//
// On a Node that can rewrite TypeScript itself (module.registerHooks and stripTypeScriptTypes:
// Node >= 22.15), .ts files are turned into JavaScript by Node's own transform (types removed,
// parameter properties written out) in a synchronous load hook, kept in a per-user cache in the
// temp directory by the SHA-256 of each source. Elsewhere (Node 20), through tsx.
//
// Why not tsx everywhere: tsx compiles with esbuild's keepNames, which wraps every named function
// and arrow function in `__name(fn, "fn")`, an Object.defineProperty on the function. That gives
// each such closure a property dictionary of its own (about 256 bytes) and costs a call each time
// one is made. Measured on the 3,000-device fleet (bench/fleet.ts) after 3 s simulated: 165,000
// closures held 42 MB of such dictionaries, 23 % of the heap. The simulator's output is the same
// either way (tests/cli/loader.test.ts).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  // Transformed files are kept by the SHA-256 of their source and Node's version (as tsx keeps
  // its own): the transform of the whole simulator took about 0.15 s of every start.
  // The cache is used only in a directory of this user's that nobody else may write to: what
  // is in it runs as code.
  const uid = process.getuid?.() ?? 'user';
  const cacheDir = join(tmpdir(), `wirelab-ts-${uid}-${process.versions.node}`);
  let cacheOk;
  const cacheUsable = () => {
    if (cacheOk !== undefined) return cacheOk;
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      const st = statSync(cacheDir);
      cacheOk = st.isDirectory() && (process.getuid === undefined || st.uid === process.getuid()) && (st.mode & 0o022) === 0;
    } catch {
      cacheOk = false;
    }
    return cacheOk;
  };
  const transform = (source) => {
    if (!cacheUsable()) return quietly(source);
    const file = join(cacheDir, `${createHash('sha256').update(source).digest('hex')}.js`);
    try {
      return readFileSync(file, 'utf8');
    } catch {
      const out = quietly(source);
      try {
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, out);
        renameSync(tmp, file); // whole or not at all, even with several processes starting at once
      } catch {
        // Not written (a full disk): transform again next time.
      }
      return out;
    }
  };
  module.registerHooks({
    load(url, context, nextLoad) {
      if (!url.startsWith('file:') || !/\.m?ts$/.test(new URL(url).pathname)) return nextLoad(url, context);
      const loaded = nextLoad(url, { ...context, format: 'module' });
      return { format: 'module', source: transform(String(loaded.source)), shortCircuit: true };
    },
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
}

/** Which loader this process uses: 'node' (Node's own transform) or 'tsx'. */
export const typescriptLoader = native && process.env.WIRELAB_TS_LOADER !== 'tsx' ? 'node' : 'tsx';
