/**
 * A sweep worker thread (./sweep-pool.ts): takes tasks from its parent one at a time, runs each
 * (./sweep-pool.ts runTask) and sends back its flow metrics or its failure.
 */
import { parentPort } from 'node:worker_threads';
import { runTask, type SweepTask } from './sweep-pool.ts';

if (parentPort === null) throw new Error('sweep-worker.ts runs as a worker thread of wirelab sweep');
const port = parentPort;
port.on('message', (task: SweepTask) => port.postMessage(runTask(task)));
