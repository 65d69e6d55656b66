// A `wirelab sweep --jobs N` worker thread: loads the TypeScript as bin/wirelab.mjs does, then
// simulator/cli/sweep-worker.ts takes its tasks.
import './typescript.mjs';

const { quietDebug } = await import('../simulator/cli/quiet-debug.ts');
quietDebug();
await import('../simulator/cli/sweep-worker.ts');
