// Least squares on a support T, matrix-free: min_b ||x - W_T^T b|| where W_T^T b = W^T (b placed
// on T). Conjugate gradients on the normal equations W_T W_T^T b = W_T x (CGLS: Hestenes &
// Stiefel's CG applied to them, with the residual r = x - W_T^T b carried instead of the normal
// residual, which loses less to rounding). Each step costs one sparse transpose (W_T^T p) and one
// forward convolution (W r, of which W_T r is the part on T).
//
// Stopping rule: ||W_T r|| <= tolerance ||W_T x|| (the normal equations' residual relative to
// their right-hand side, scale-free), or `maxSteps` steps. W x is computed once per problem,
// so W_T x costs a gather for any T.

import type { Engine } from '../instance.js';
import { checkOptions, checkFinite, finiteNumber, float32Exact, positiveInt, rangeError, requireOption, typeError } from '../validate.js';
import { ptrOperator } from './ptr-operator.js';
import type { PtrOperator } from './ptr-operator.js';

/** Buffers of a solve: input-sized x, r, q; code-sized g and wx = W x; compact T, bc, p, s. */
export interface LsBuffers {
  x: number; r: number; q: number;
  g: number; wx: number;
  T: number; bc: number; p: number; s: number;
}

/**
 * CGLS on the `count` indices at T. On entry bc holds the starting point (values on T), and the
 * caller guarantees r = x - W_T^T bc and g = W r (the pursuits have both at hand when they warm
 * start from their previous iterate). On exit bc holds the solution, r = x - W_T^T bc (as carried
 * by the recurrence) and g = W r. Returns the number of steps taken.
 */
export function cgls(engine: Engine, op: PtrOperator, b: LsBuffers, count: number, maxSteps: number, tolerance: number): number {
  const { k } = engine;
  const n = op.inputSize;
  if (count === 0) return 0;
  k.gather(b.wx, b.T, count, b.s);
  const stop = tolerance * tolerance * k.sumsq(b.s, count); // (tolerance ||W_T x||)^2
  k.gather(b.g, b.T, count, b.s); // s = W_T r
  let gamma = k.sumsq(b.s, count);
  if (gamma <= stop || gamma === 0) return 0;
  k.copy(b.p, b.s, count * 4);
  let steps = 0;
  while (steps < maxSteps) {
    op.transposeSparsePtr(b.T, b.p, count, b.q); // q = W_T^T p
    const delta = k.sumsq(b.q, n);
    if (!(delta > 0)) break; // p is in the null space of W_T^T: nothing left to gain
    const alpha = Math.fround(gamma / delta);
    k.axpy(alpha, b.p, b.bc, count);
    k.axpy(-alpha, b.q, b.r, n);
    op.forwardPtr(b.r, b.g);
    k.gather(b.g, b.T, count, b.s);
    steps++;
    const gammaNext = k.sumsq(b.s, count);
    if (gammaNext <= stop) break;
    k.scal(Math.fround(gammaNext / gamma), b.p, count); // p = s + beta p
    k.axpy(1, b.s, b.p, count);
    gamma = gammaNext;
  }
  return steps;
}

export interface LeastSquaresOptions {
  /** The support T: ascending, distinct flat indices into the code (for example a result's `support`). */
  support: Int32Array;
  /** Starting point, a code of W's output size; only its values on T are used (default 0). */
  initial?: Float32Array;
  /** Most conjugate-gradient steps (default 50). */
  iterations?: number;
  /** Stop when ||W_T (x - W_T^T b)|| <= tolerance ||W_T x|| (default 1e-7). */
  tolerance?: number;
}

export interface LeastSquaresResult {
  /** The solution as a code: b on T, zero elsewhere. */
  z: Float32Array;
  /** T, as given. */
  support: Int32Array;
  /** x^ = W^T z. */
  xHat: Float32Array;
  /** ||x^ - x|| / ||x||. */
  relativeError: number;
  /** Conjugate-gradient steps taken. */
  iterations: number;
  /** ||W_T (x - x^)|| / ||W_T x||, from x^ recomputed at the end (0 when W_T x = 0 and the fit is exact). */
  normalResidual: number;
}

/** The public cs.leastSquares. */
export function leastSquares(engine: Engine, W: unknown, x: Float32Array, options: LeastSquaresOptions): LeastSquaresResult {
  const where = 'leastSquares';
  const o = checkOptions<LeastSquaresOptions>(where, options, ['support', 'initial', 'iterations', 'tolerance']);
  const support = requireOption(where, 'support', o.support);
  const maxSteps = o.iterations === undefined ? 50 : positiveInt(where, 'iterations', o.iterations, 1e7);
  const tolerance = o.tolerance === undefined ? 1e-7 : finiteNumber(where, 'tolerance', o.tolerance);
  if (tolerance < 0) throw rangeError(where, `'tolerance' must be >= 0, got ${tolerance}`);
  const op = ptrOperator(engine, where, W);
  try {
    const n = op.inputSize;
    const m = op.outputSize;
    if (!(support instanceof Int32Array)) throw typeError(where, "'support'", 'an Int32Array', support);
    for (let i = 0; i < support.length; i++) {
      const v = support[i]!;
      if (v < 0 || v >= m) throw rangeError(where, `support[${i}] = ${v} is outside [0, ${m})`);
      if (i > 0 && v <= support[i - 1]!) throw rangeError(where, `'support' must be ascending without repeats; support[${i}] = ${v} follows ${support[i - 1]}`);
    }
    if (o.initial !== undefined) {
      float32Exact(where, "'initial'", o.initial, m);
      checkFinite(where, "'initial'", o.initial);
    }
    float32Exact(where, 'x', x, n);
    checkFinite(where, 'x', x);
    const c = support.length;
    const C = Math.max(c, 1) * 4;
    // the buffers and the operator's sparse scratch for this support, in one all-or-nothing allocation
    const scratch = engine.heap.atomically(() => {
      op.reserve(c);
      return engine.allocAll([n * 4, n * 4, n * 4, m * 4, m * 4, C, C, C, C]);
    });
    const [px, pr, pq, pg, pwx, pT, pbc, pp, ps] = scratch as [number, number, number, number, number, number, number, number, number];
    try {
      const b: LsBuffers = { x: px, r: pr, q: pq, g: pg, wx: pwx, T: pT, bc: pbc, p: pp, s: ps };
      const { k } = engine;
      engine.f32(b.x, n).set(x);
      engine.i32(b.T, c).set(support);
      op.forwardPtr(b.x, b.wx);
      // r = x - W_T^T bc and g = W r for the starting point
      if (o.initial !== undefined) {
        engine.f32(b.g, m).set(o.initial);
        k.gather(b.g, b.T, c, b.bc);
        op.transposeSparsePtr(b.T, b.bc, c, b.q);
        k.sub(b.x, b.q, b.r, n);
        op.forwardPtr(b.r, b.g);
      } else {
        k.zero(b.bc, C);
        k.copy(b.r, b.x, n * 4);
        k.copy(b.g, b.wx, m * 4);
      }
      const steps = cgls(engine, op, b, c, maxSteps, tolerance);
      // The reported fit is recomputed, not the recurrence's residual.
      op.transposeSparsePtr(b.T, b.bc, c, b.q);
      k.sub(b.x, b.q, b.r, n);
      op.forwardPtr(b.r, b.g);
      k.gather(b.g, b.T, c, b.s);
      const num = Math.sqrt(k.sumsq(b.s, c));
      k.gather(b.wx, b.T, c, b.s);
      const den = Math.sqrt(k.sumsq(b.s, c));
      const xNorm = Math.sqrt(k.sumsq(b.x, n));
      const dist = Math.sqrt(k.sumsq(b.r, n));
      const z = new Float32Array(m);
      const vals = engine.f32(b.bc, c);
      for (let j = 0; j < c; j++) z[support[j]!] = vals[j]!;
      return {
        z, support: support.slice(), xHat: engine.f32(b.q, n).slice(),
        relativeError: xNorm === 0 ? dist : dist / xNorm, iterations: steps,
        normalResidual: den === 0 ? num : num / den,
      };
    } finally {
      for (const p of scratch) engine.heap.release(p);
    }
  } finally {
    op.release();
  }
}
