#!/usr/bin/env node
// The `wirelab` command: runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
// Before anything loads mqtt-packet: its `debug` logging, off, costs nothing (simulator/cli/quiet-debug.ts).
const { quietDebug } = await import('../simulator/cli/quiet-debug.ts');
quietDebug();
const { main } = await import('../simulator/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
