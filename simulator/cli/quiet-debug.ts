/**
 * mqtt-packet logs every parse step through the `debug` package (46 calls in its parser, 12 in
 * its writer: `debug('parse: current state: %s', ...)`). Off, as it is unless DEBUG names it,
 * each call still gathers its arguments into an array and asks a getter whether it is enabled:
 * about a fifth of mqtt-packet's own encode+parse time for a QoS 1 PUBLISH (measured with
 * bench/mqtt-broker.ts's packet). So the CLI process, before anything loads mqtt-packet, puts a
 * logger that is off and does nothing in Node's module cache (`require.cache`, the documented
 * way to hand a CommonJS module a dependency), for the `debug` that mqtt-packet resolves: its
 * calls become empty functions the JIT inlines, and no string is ever built.
 *
 * With DEBUG set (someone wants the logs), nothing is changed. Only the CLI and the bench call
 * this: it is process-wide, and the tests run mqtt.js and aedes, which use `debug` too.
 */
import { createRequire } from 'node:module';

export function quietDebug(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['DEBUG']) return false;
  const require = createRequire(createRequire(import.meta.url).resolve('mqtt-packet'));
  // mqtt-packet already loaded (something imported it first): its loggers exist, too late to swap.
  if (require.cache[require.resolve('./parser.js')] !== undefined) return false;
  const id = require.resolve('debug');
  require('debug');
  const off = (): void => {};
  const createDebug = Object.assign((_namespace: string) => Object.assign(off, { enabled: false }), {
    quiet: true,
    enabled: () => false,
    enable: () => {},
    disable: () => '',
  });
  require.cache[id]!.exports = createDebug;
  return true;
}
