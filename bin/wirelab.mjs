#!/usr/bin/env node
// The `wirelab` command: loads the TypeScript CLI as it is (./typescript.mjs: Node's own transform,
// or tsx on an older Node), so no build step is needed.
import './typescript.mjs';

// Before anything loads mqtt-packet: its `debug` logging, off, costs nothing (simulator/cli/quiet-debug.ts).
const { quietDebug } = await import('../simulator/cli/quiet-debug.ts');
quietDebug();
// Before a run allocates: V8 collects once the heap has grown by half (simulator/cli/heap.ts).
const { keepHeapNearLive } = await import('../simulator/cli/heap.ts');
keepHeapNearLive();
const { main } = await import('../simulator/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
