// cs.recoverBatch(W, xs, { method, ... }) and cs.ihtBatch(W, xs, options): one recovery method
// (IHT, CoSaMP, HTP or Subspace Pursuit) on many inputs, in this thread or over the worker pool.
// Each input's run depends only on W, the input, the method and its options, so the results are
// the same bits whichever worker runs which input.

import type { Engine } from '../instance.js';
import type { IhtResult } from '../algorithms/iht.js';
import type { PursuitResult } from '../algorithms/pursuit.js';
import { methods, RECOVER_METHODS } from '../algorithms/methods.js';
import type { RecoverMethod } from '../algorithms/methods.js';
import { ptrOperator } from '../algorithms/ptr-operator.js';
import { resolveSparsity } from '../algorithms/sparsity.js';
import type { SparsityOptions } from '../algorithms/sparsity.js';
import {
  checkFinite, checkOptions, float32Batch, float32Exact, oneOf, operatorSizes, positiveInt, rangeError, requireOption, typeError,
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
  /** Spread the inputs over this many worker threads; the call then returns a Promise. */
  workers?: number;
  /** Called with (inputs done, inputs) as inputs (or groups of inputs, with workers) finish. */
  onProgress?: (done: number, total: number) => void;
}

export interface RecoverBatchOptions extends SparsityOptions {
  /** Which method runs on every input: 'iht', 'cosamp', 'htp' or 'subspacePursuit'. */
  method: RecoverMethod;
  /** As in the method (default 100 for 'iht', 50 for the others). */
  iterations?: number;
  /** As in the method (default 1e-6). */
  tolerance?: number;
  /** 'iht' and 'htp' only: 'unit' or 'normalized' (the defaults: 'normalized' for 'iht', 'unit' for 'htp'). */
  step?: 'unit' | 'normalized';
  /** 'cosamp', 'htp', 'subspacePursuit': most conjugate-gradient steps per least-squares solve. */
  lsIterations?: number;
  /** 'cosamp', 'htp', 'subspacePursuit': the least-squares stopping rule. */
  lsTolerance?: number;
  workers?: number;
  /** With workers: ms a worker may say nothing while it runs a task (its start-up included) before the call fails (default 60000). */
  workerTimeout?: number;
  onProgress?: (done: number, total: number) => void;
}

interface Batch {
  method: RecoverMethod;
  inputs: Float32Array[];
  options: Record<string, unknown>;
  workers?: number;
  timeout: number;
  onProgress?: (done: number, total: number) => void;
}

/** Check everything before any input runs, so that a bad input late in a batch costs nothing. */
function planBatch(engine: Engine, where: string, W: unknown, xs: unknown, options: unknown, fixed?: RecoverMethod): Batch {
  let method: RecoverMethod;
  if (fixed !== undefined) {
    method = fixed;
  } else {
    if (options === null || typeof options !== 'object') throw typeError(where, 'options', 'an object', options);
    method = oneOf(where, 'method', requireOption(where, 'method', (options as { method?: unknown }).method), RECOVER_METHODS);
  }
  const entry = methods[method];
  const o = checkOptions<Record<string, unknown>>(where, options, [...entry.keys, 'workers', 'workerTimeout', 'onProgress', ...(fixed ? [] : ['method'])]);
  entry.check(where, o);
  const onProgress = o.onProgress as Batch['onProgress'];
  if (onProgress !== undefined && typeof onProgress !== 'function') throw typeError(where, "'onProgress'", 'a function', onProgress);
  const workers = o.workers === undefined ? undefined : positiveInt(where, 'workers', o.workers, MAX_WORKERS);
  const timeout = workerTimeout(where, o.workerTimeout);
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
  for (const key of entry.keys) if (o[key] !== undefined) shipped[key] = o[key];
  return { method, inputs, options: shipped, workers, timeout, onProgress };
}

function inThread(engine: Engine, where: string, W: unknown, b: Batch): IhtResult[] {
  if (b.workers !== undefined) throw new TypeError(`convcs.${where}: 'workers' needs cs.${where} (it returns a Promise then)`);
  const run = methods[b.method].run;
  return b.inputs.map((x, i) => {
    const r = run(engine, W, x, b.options);
    b.onProgress?.(i + 1, b.inputs.length);
    return r;
  });
}

async function overWorkers(engine: Engine, where: string, W: unknown, b: Batch, options: unknown): Promise<IhtResult[]> {
  const workers = positiveInt(where, 'workers', b.workers, MAX_WORKERS);
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
        message: { type: 'recover', task, op: opId, method: b.method, options: b.options, xs: xsPart, first, count: end - first, ...(fault ? { fault } : {}) },
        transfer: [xsPart.buffer],
      };
    }),
    (i, r) => {
      const [first] = parts[i]!;
      r.recover!.forEach((res, j) => { results[first + j] = res; });
      done += r.recover!.length;
      b.onProgress?.(done, total);
    }, b.timeout);
  return results;
}

/** cs.ihtBatch in this thread. */
export function ihtBatch(engine: Engine, W: unknown, xs: unknown, options?: IhtBatchOptions): IhtResult[] {
  return inThread(engine, 'ihtBatch', W, planBatch(engine, 'ihtBatch', W, xs, options, 'iht'));
}

/** cs.ihtBatch over the worker pool. */
export async function ihtBatchWithWorkers(engine: Engine, W: unknown, xs: unknown, options: IhtBatchOptions): Promise<IhtResult[]> {
  return overWorkers(engine, 'ihtBatch', W, planBatch(engine, 'ihtBatch', W, xs, options, 'iht'), options);
}

/** cs.recoverBatch in this thread. */
export function recoverBatch(engine: Engine, W: unknown, xs: unknown, options: RecoverBatchOptions): Array<IhtResult | PursuitResult> {
  return inThread(engine, 'recoverBatch', W, planBatch(engine, 'recoverBatch', W, xs, options));
}

/** cs.recoverBatch over the worker pool. */
export async function recoverBatchWithWorkers(engine: Engine, W: unknown, xs: unknown, options: RecoverBatchOptions): Promise<Array<IhtResult | PursuitResult>> {
  return overWorkers(engine, 'recoverBatch', W, planBatch(engine, 'recoverBatch', W, xs, options), options);
}
