// The `debug` package as mqtt-packet sees it in the simulator's worker bundle (./quietDebugPlugin.mjs):
// a logger that is off and does nothing, so mqtt-packet's 58 debug calls build no argument list and ask
// no `enabled` getter (simulator/cli/quiet-debug.ts does the same for the CLI, and says what it saves).
// CommonJS, as the `debug` it replaces: mqtt-packet calls `require('debug')('mqtt-packet:parser')`.
'use strict';
function off() {}
off.enabled = false;
function createDebug() {
  return off;
}
createDebug.quiet = true;
createDebug.enabled = function () {
  return false;
};
createDebug.enable = function () {};
createDebug.disable = function () {
  return '';
};
module.exports = createDebug;
