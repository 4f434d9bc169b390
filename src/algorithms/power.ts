// ||W||^2 (the largest eigenvalue of W^T W) by a seeded power iteration. FISTA's step is
// 1/L with L = 2 ||W||^2 for the objective ||x - W^T z||^2 + lambda ||z||_1: estimated, never
// guessed, since a mis-scaled step is the commonest way sparse solvers fail quietly.

import type { Engine } from '../instance.js';
import { checkOptions, positiveInt, seedWords, finiteNumber, rangeError } from '../validate.js';
import { ptrOperator } from './ptr-operator.js';
import type { PtrOperator } from './ptr-operator.js';

export interface NormOptions {
  /** Seed of the random start vector (default 0). */
  seed?: number | bigint;
  /** Maximum iterations (default 200). */
  iterations?: number;
  /** Stop when the estimate changes by less than this, relatively (default 1e-7). */
  tolerance?: number;
}

/**
 * Power iteration on W^T W from a seeded Gaussian start; returns the Rayleigh quotient ||W v||^2.
 * `buffers` ([v of inputSize, u of outputSize]) lets a caller that planned its memory pass its own.
 */
export function normSquaredPtr(
  engine: Engine, op: PtrOperator, seed: [number, number], iterations: number, tolerance: number, buffers?: [number, number],
): number {
  const n = op.inputSize;
  const m = op.outputSize;
  if (!buffers) return engine.withScratch([n * 4, m * 4], (v, u) => normSquaredPtr(engine, op, seed, iterations, tolerance, [v!, u!]));
  const [v, u] = buffers;
  const k = engine.k;
  k.randn(seed[0], seed[1], 0, 0, n, v);
  let nv = Math.sqrt(k.sumsq(v, n));
  if (nv === 0) return 0;
  k.scal(Math.fround(1 / nv), v, n);
  let estimate = 0;
  for (let i = 0; i < iterations; i++) {
    op.forwardPtr(v, u); // u = W v
    const next = k.sumsq(u, m); // ||W v||^2 with ||v|| = 1
    op.transposePtr(u, v); // v = W^T W v
    nv = Math.sqrt(k.sumsq(v, n));
    if (nv === 0) return 0;
    k.scal(Math.fround(1 / nv), v, n);
    const done = Math.abs(next - estimate) <= tolerance * next;
    estimate = next;
    if (done) break;
  }
  return estimate;
}

/** The public cs.normEstimate: ||W||_2 (largest singular value) by power iteration. */
export function normEstimate(engine: Engine, W: unknown, options?: NormOptions): number {
  const where = 'normEstimate';
  const o = checkOptions<NormOptions>(where, options, ['seed', 'iterations', 'tolerance']);
  const seed = seedWords(where, 'seed', o.seed ?? 0);
  const iterations = o.iterations === undefined ? 200 : positiveInt(where, 'iterations', o.iterations, 1e6);
  const tolerance = o.tolerance === undefined ? 1e-7 : finiteNumber(where, 'tolerance', o.tolerance);
  if (tolerance < 0) throw rangeError(where, `'tolerance' must be >= 0, got ${tolerance}`);
  const op = ptrOperator(engine, where, W);
  try {
    return Math.sqrt(normSquaredPtr(engine, op, seed, iterations, tolerance));
  } finally {
    op.release();
  }
}
