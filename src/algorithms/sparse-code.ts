// The paper's Algorithm 2, sparse hidden activation recovery:
//   1. z_init  = argmin ||x - W^T z||^2 + lambda ||z||_1          (FISTA)
//   2. z_model = unpool(maxpool(z_init)) with its own switches     (one survivor per block)
//   3. z       = the same problem with z_i = 0 wherever z_model_i = 0   (FISTA on that support)
// FISTA (Beck & Teboulle) with step 1/L, L = 2 ||W||^2 from a seeded power iteration (plus a
// 1% margin, since the power iteration approaches ||W||^2 from below).

import type { Engine } from '../instance.js';
import { checkOptions, float32Exact, checkFinite, finiteNumber, positiveInt, rangeError, seedWords, typeError } from '../validate.js';
import { ptrOperator } from './ptr-operator.js';
import type { PtrOperator } from './ptr-operator.js';
import { normSquaredPtr } from './power.js';
import { Projector, blockGeometry } from '../projection.js';
import type { Pool } from '../projection.js';

export interface SparseCodeOptions {
  /** Pooling whose switches fix the support (default 'global'). */
  pool?: Pool;
  /** l1 weight; default 0.1 * lambdaMax, where lambdaMax = ||2 W x||_inf is the smallest lambda whose solution is 0. */
  lambda?: number;
  /** FISTA iterations for each of the two solves (default 200). */
  iterations?: number;
  /** Seed of the power iteration (default 0). */
  seed?: number | bigint;
  /**
   * The Lipschitz constant 2 ||W||^2 of the gradient, if already known (for example the
   * `lipschitz` of an earlier result with the same W): skips the power iteration.
   */
  lipschitz?: number;
  /** Called with (phase 1 | 2, iteration, objective) every 10 iterations; return false to end that phase. */
  onIteration?: (phase: 1 | 2, iteration: number, objective: number) => void | boolean;
}

export interface SparseCodeResult {
  z: Float32Array;
  xHat: Float32Array;
  relativeError: number;
  /** Ascending indices of the non-zeros of z. */
  support: Int32Array;
  lambda: number;
  /** The Lipschitz constant used, 2 ||W||^2 (1% margin included). */
  lipschitz: number;
  /** Final objective ||x - W^T z||^2 + lambda ||z||_1. */
  objective: number;
}

interface Buffers { x: number; r: number; y: number; z: number; g: number; mask: number }

/** FISTA on ||x - W^T z||^2 + lambda ||z||_1, from z (in place), optionally masked. */
function fista(engine: Engine, op: PtrOperator, b: Buffers, L: number, lambda: number, iterations: number,
  useMask: boolean, phase: 1 | 2, onIteration?: SparseCodeOptions['onIteration']): void {
  const k = engine.k;
  const n = op.inputSize;
  const m = op.outputSize;
  k.copy(b.y, b.z, m * 4);
  let t = 1;
  const step = Math.fround(1 / L);
  const thresh = Math.fround(lambda / L);
  for (let i = 1; i <= iterations; i++) {
    // g = grad f(y) = 2 W (W^T y - x)
    op.transposePtr(b.y, b.r);
    k.axpy(-1, b.x, b.r, n);
    op.forwardPtr(b.r, b.g);
    k.scal(2, b.g, m);
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    k.fistaUpdate(b.y, b.g, b.z, useMask ? b.mask : 0, m, step, thresh, Math.fround((t - 1) / tNext));
    t = tNext;
    if (onIteration && i % 10 === 0 && onIteration(phase, i, objective(engine, op, b, lambda)) === false) break;
  }
}

function objective(engine: Engine, op: PtrOperator, b: Buffers, lambda: number): number {
  op.transposePtr(b.z, b.r);
  const fit = engine.k.distsq(b.r, b.x, op.inputSize);
  let l1 = 0;
  const z = engine.f32(b.z, op.outputSize);
  for (let i = 0; i < z.length; i++) l1 += Math.abs(z[i]!);
  return fit + lambda * l1;
}

export function sparseCode(engine: Engine, W: unknown, x: Float32Array, options?: SparseCodeOptions): SparseCodeResult {
  const where = 'sparseCode';
  const o = checkOptions<SparseCodeOptions>(where, options, ['pool', 'lambda', 'iterations', 'seed', 'lipschitz', 'onIteration']);
  const given = o.lipschitz === undefined ? undefined : finiteNumber(where, 'lipschitz', o.lipschitz);
  if (given !== undefined && !(given > 0)) throw rangeError(where, `'lipschitz' must be positive, got ${given}`);
  const iterations = o.iterations === undefined ? 200 : positiveInt(where, 'iterations', o.iterations, 1e7);
  const seed = seedWords(where, 'seed', o.seed ?? 0);
  if (o.onIteration !== undefined && typeof o.onIteration !== 'function') throw typeError(where, "'onIteration'", 'a function', o.onIteration);
  let lambda = o.lambda === undefined ? undefined : finiteNumber(where, 'lambda', o.lambda);
  if (lambda !== undefined && lambda < 0) throw rangeError(where, `'lambda' must be >= 0, got ${lambda}`);
  const op = ptrOperator(engine, where, W);
  try {
    const bg = blockGeometry(where, [...op.outputShape], o.pool);
    float32Exact(where, 'x', x, op.inputSize);
    checkFinite(where, 'x', x);
    const n = op.inputSize;
    const m = op.outputSize;
    // the projector and the scratch in one all-or-nothing allocation (a refused call grows nothing)
    const [projector, scratch] = engine.heap.atomically(() => [
      new Projector(engine, bg), engine.allocAll([n * 4, n * 4, m * 4, m * 4, m * 4, m * 4, m * 4, bg.blocks * 4]),
    ] as const);
    const [px, pr, py, pz, pg, pmask, pzm, psup] = scratch as [number, number, number, number, number, number, number, number];
    try {
      const b: Buffers = { x: px, r: pr, y: py, z: pz, g: pg, mask: pmask };
      const k = engine.k;
      engine.f32(b.x, n).set(x);
      if (lambda === undefined) {
        op.forwardPtr(b.x, b.g);
        const g = engine.f32(b.g, m);
        let mx = 0;
        for (let i = 0; i < m; i++) mx = Math.max(mx, Math.abs(g[i]!));
        lambda = 0.1 * 2 * mx;
      }
      // r and y are free until FISTA starts: the power iteration's buffers
      const L = given ?? 2 * normSquaredPtr(engine, op, seed, 500, 1e-9, [b.r, b.y]) * 1.01;
      if (!(L > 0)) throw rangeError(where, 'the operator is zero (||W|| = 0): there is nothing to fit');
      // 1. unconstrained l1 least squares from zero
      engine.f32(b.z, m).fill(0);
      fista(engine, op, b, L, lambda, iterations, false, 1, o.onIteration);
      // 2. max pooling with its own switches: one survivor per block
      projector.project(b.z, bg.blocks, false, pzm, psup);
      const zm = engine.f32(pzm, m);
      const mask = engine.f32(b.mask, m);
      for (let i = 0; i < m; i++) mask[i] = zm[i] !== 0 ? 1 : 0;
      // 3. the same problem on that support, warm-started from z_model
      k.copy(b.z, pzm, m * 4);
      fista(engine, op, b, L, lambda, iterations, true, 2, o.onIteration);
      const obj = objective(engine, op, b, lambda); // leaves W^T z in b.r
      const z = engine.f32(b.z, m).slice();
      const xHat = engine.f32(b.r, n).slice();
      const support: number[] = [];
      for (let i = 0; i < m; i++) if (z[i] !== 0) support.push(i);
      const xNorm = Math.sqrt(k.sumsq(b.x, n));
      const dist = Math.sqrt(k.distsq(b.r, b.x, n));
      return {
        z, xHat, relativeError: xNorm === 0 ? dist : dist / xNorm,
        support: Int32Array.from(support), lambda: lambda!, lipschitz: L, objective: obj,
      };
    } finally {
      for (const p of scratch) engine.heap.release(p);
      projector.dispose();
    }
  } finally {
    op.release();
  }
}
