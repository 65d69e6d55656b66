// @ts-check
/**
 * `virtual:wirelab/server`: what widgets may use only while the site is built. In the build's
 * server render it is src/components/widgets/lib/server.ts (the course modules, a DOM for charts);
 * in the browser's bundle it is a stub of nulls, so no simulator code reaches the page through it.
 * A widget asks `serverSide?.course(...)` and gets null in the browser.
 */
const ID = 'virtual:wirelab/server';
const RESOLVED = `\0${ID}`;

/** @returns {import('vite').Plugin} */
export function buildTimeModules() {
  return {
    name: 'wirelab-build-time',
    enforce: 'pre',
    resolveId(source) {
      return source === ID ? RESOLVED : undefined;
    },
    load(id, options) {
      if (id !== RESOLVED) return undefined;
      // `this.environment` in Vite 6+, `options.ssr` before: either says whether this is the server build.
      const env = /** @type {{ environment?: { config?: { consumer?: string } } }} */ (/** @type {unknown} */ (this)).environment;
      const server = env?.config?.consumer ? env.config.consumer === 'server' : Boolean(options?.ssr);
      return server
        ? `export { serverSide } from ${JSON.stringify(new URL('../components/widgets/lib/server.ts', import.meta.url).pathname)};`
        : 'export const serverSide = null;';
    },
  };
}
