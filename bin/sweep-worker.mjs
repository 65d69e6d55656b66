// A `wirelab sweep --jobs N` worker thread: loads the TypeScript as bin/wirelab.mjs does, then
// simulator/cli/sweep-worker.ts takes its tasks.
import { register } from 'tsx/esm/api';

register();
const { quietDebug } = await import('../simulator/cli/quiet-debug.ts');
quietDebug();
await import('../simulator/cli/sweep-worker.ts');
