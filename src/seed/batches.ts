import { Worker } from 'node:worker_threads';
import { batchGenerator, GENERATION_SLICE, joinSlices, type BatchSpec, type GeneratedBatch } from './generate.js';

/** Where a seeding run's batches are made. */
export interface BatchSource {
  generate(spec: BatchSpec): Promise<GeneratedBatch>;
  close(): Promise<void>;
}

/**
 * On the calling thread, in slices with a yield between them: generation is
 * synchronous, and while it runs the batches in flight could not write to
 * their sockets. Yielding lets PostgreSQL ingest while the next batch is made.
 */
export function inlineBatches(): BatchSource {
  return {
    async generate(spec) {
      const generator = batchGenerator(spec);
      const slices: GeneratedBatch[] = [];
      for (let done = 0; done < spec.size; done += GENERATION_SLICE) {
        slices.push(generator.batch(Math.min(GENERATION_SLICE, spec.size - done)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return joinSlices(slices);
    },
    async close() {},
  };
}

interface Pending {
  resolve: (batch: GeneratedBatch) => void;
  reject: (error: unknown) => void;
}

/**
 * On `count` worker threads, batches handed out in turn. Generation is the
 * seeder's own CPU cost (about as much as PostgreSQL's for the same users):
 * threads let it use the cores a client machine has, so that a seeder
 * loading a remote server is not held to one core. A worker answers in the
 * order it was asked, so each keeps a FIFO of its callers.
 */
export function workerBatches(count: number): BatchSource {
  const workers = Array.from({ length: count }, () => {
    const worker = startWorker();
    const queue: Pending[] = [];
    let failure: unknown = null;
    const fail = (error: unknown) => {
      failure ??= error;
      for (const pending of queue.splice(0)) pending.reject(failure);
    };
    worker.on('message', (batch: GeneratedBatch) => queue.shift()?.resolve(batch));
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`seed generator thread exited with code ${code}`)));
    return {
      worker,
      generate(spec: BatchSpec): Promise<GeneratedBatch> {
        if (failure !== null) return Promise.reject(failure);
        return new Promise((resolve, reject) => {
          queue.push({ resolve, reject });
          worker.postMessage(spec);
        });
      },
    };
  });
  let turn = 0;
  return {
    generate(spec) {
      const target = workers[turn++ % workers.length]!;
      return target.generate(spec);
    },
    async close() {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}

/**
 * Compiled (dist/seed/*.js): the worker module beside this one. From source
 * (tsx, Vitest): a worker's entry module is loaded before any loader hook,
 * so a small bootstrap registers tsx in the thread, then imports the .ts.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new Worker(new URL('./generate-worker.js', here));
  const target = new URL('./generate-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(target)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`));
}
