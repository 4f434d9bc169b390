// cs.ihtBatch(W, xs, options): model-based IHT on many inputs, in this thread or over the worker
// pool. Each input's run depends only on W, the input and the options, so the results are the
// same bits whichever worker runs which input.

import type { Engine } from '../instance.js';
import { iht } from '../algorithms/iht.js';
import type { IhtOptions, IhtResult } from '../algorithms/iht.js';
import { ptrOperator } from '../algorithms/ptr-operator.js';
import { resolveSparsity, sparsityKeys } from '../algorithms/sparsity.js';
import type { SparsityOptions } from '../algorithms/sparsity.js';
import {
  checkFinite, checkOptions, finiteNumber, float32Batch, float32Exact, oneOf, operatorSizes, positiveInt, rangeError, typeError,
} from '../validate.js';
import { describeOperator } from './spec.js';
import { poolFor } from './pool.js';
import { chunks, MAX_WORKERS, workerTimeout } from './chunks.js';
import { injectedFault } from './testing.js';

export interface IhtBatchOptions extends SparsityOptions {
  /** As in cs.iht: maximum iterations per input (default 100). */
  iterations?: number;
  /** As in cs.iht (default 1e-6). */
  tolerance?: number;
  /** As in cs.iht: 'unit' or 'normalized' (default). */
  step?: 'unit' | 'normalized';
  /** Spread the inputs over this many worker threads; cs.ihtBatch then returns a Promise. */
  workers?: number;
  /** With workers: ms a worker may say nothing while it runs a task (its start-up included) before the call fails (default 60000). */
  workerTimeout?: number;
  /** Called with (inputs done, inputs) as inputs (or groups of inputs, with workers) finish. */
  onProgress?: (done: number, total: number) => void;
}

const SHIPPED = [...sparsityKeys, 'iterations', 'tolerance', 'step'] as const;

interface Batch {
  inputs: Float32Array[];
  options: IhtOptions;
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Check everything before any input runs, so that a bad input late in a batch costs nothing. */
function planBatch(engine: Engine, where: string, W: unknown, xs: unknown, options: unknown): Batch {
  const o = checkOptions<IhtBatchOptions>(where, options, [...SHIPPED, 'workers', 'workerTimeout', 'onProgress']);
  workerTimeout(where, o.workerTimeout);
  if (o.iterations !== undefined) positiveInt(where, 'iterations', o.iterations, 1e7);
  if (o.tolerance !== undefined) {
    const t = finiteNumber(where, 'tolerance', o.tolerance);
    if (t < 0) throw rangeError(where, `'tolerance' must be >= 0, got ${t}`);
  }
  if (o.step !== undefined) oneOf(where, 'step', o.step, ['unit', 'normalized'] as const);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw typeError(where, "'onProgress'", 'a function', o.onProgress);
  const workers = o.workers === undefined ? undefined : positiveInt(where, 'workers', o.workers, MAX_WORKERS);
  const op = ptrOperator(engine, where, W);
  let n: number;
  try {
    operatorSizes(where, op.inputSize, op.outputSize, op.outputShape);
    resolveSparsity(where, op.outputShape, o, false);
    n = op.inputSize;
  } finally {
    op.release();
  }
  let inputs: Float32Array[];
  if (xs instanceof Float32Array) {
    const count = float32Batch(where, 'xs', xs, n);
    inputs = Array.from({ length: count }, (_, i) => xs.subarray(i * n, (i + 1) * n));
  } else if (Array.isArray(xs)) {
    if (xs.length === 0) throw rangeError(where, 'xs must hold at least one input');
    inputs = xs.map((x, i) => {
      float32Exact(where, `xs[${i}]`, x, n);
      checkFinite(where, `xs[${i}]`, x as Float32Array);
      return x as Float32Array;
    });
  } else {
    throw typeError(where, 'xs', 'a Float32Array of inputs end to end, or an array of Float32Array', xs);
  }
  const shipped: Record<string, unknown> = {};
  for (const key of SHIPPED) if (o[key] !== undefined) shipped[key] = o[key];
  return { inputs, options: shipped as IhtOptions, workers, onProgress: o.onProgress };
}

/** In this thread. */
export function ihtBatch(engine: Engine, W: unknown, xs: unknown, options?: IhtBatchOptions): IhtResult[] {
  const where = 'ihtBatch';
  const b = planBatch(engine, where, W, xs, options);
  if (b.workers !== undefined) throw new TypeError(`convcs.${where}: 'workers' needs cs.ihtBatch (it returns a Promise then)`);
  return b.inputs.map((x, i) => {
    const r = iht(engine, W as never, x, b.options);
    b.onProgress?.(i + 1, b.inputs.length);
    return r;
  });
}

/** Over the worker pool. */
export async function ihtBatchWithWorkers(engine: Engine, W: unknown, xs: unknown, options: IhtBatchOptions): Promise<IhtResult[]> {
  const where = 'ihtBatch';
  const b = planBatch(engine, where, W, xs, options);
  const workers = positiveInt(where, 'workers', b.workers, MAX_WORKERS);
  const timeout = workerTimeout(where, (options as { workerTimeout?: unknown }).workerTimeout);
  const spec = describeOperator(engine, where, W);
  const fault = injectedFault(options);
  const total = b.inputs.length;
  const n = b.inputs[0]!.length;
  const results = new Array<IhtResult>(total);
  let done = 0;
  const parts = chunks(0, total, workers);
  await poolFor(engine).run(workers, spec,
    parts.map(([first, end]) => (opId, task) => {
      const xsPart = new Float32Array((end - first) * n);
      for (let i = first; i < end; i++) xsPart.set(b.inputs[i]!, (i - first) * n);
      return {
        message: { type: 'iht', task, op: opId, options: b.options as Record<string, unknown>, xs: xsPart, first, count: end - first, ...(fault ? { fault } : {}) },
        transfer: [xsPart.buffer],
      };
    }),
    (i, r) => {
      const [first] = parts[i]!;
      r.iht!.forEach((res, j) => { results[first + j] = res; });
      done += r.iht!.length;
      b.onProgress?.(done, total);
    }, timeout);
  return results;
}
