/**
 * A generator thread (src/seed/batches.ts): receives BatchSpecs, answers
 * each with its GeneratedBatch, in order.
 */
import { parentPort } from 'node:worker_threads';
import { generateBatch, type BatchSpec } from './generate.js';

if (parentPort === null) throw new Error('generate-worker.js runs only as a worker thread');
const port = parentPort;
port.on('message', (spec: BatchSpec) => {
  port.postMessage(generateBatch(spec));
});
