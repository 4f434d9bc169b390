// Empirical model-RIP of W^T (section 2.3, Figures 2 and 3): for random model-k-sparse codes z
// (k blocks uniformly, one uniformly placed non-zero in each),
//   forward        ||W^T z|| / ||z||                  should concentrate at 1   (Fig. 2a, 3a)
//   gram           ||W W^T z|| / ||z||                                          (Fig. 2b)
//   reconstruction ||W^T M(W x, k) - x|| / ||x||, x = W^T z                    (Fig. 2c)
// and the distortion seen: delta_k = max |ratio^2 - 1| over the codes, delta_2k the same over
// sums of two codes (the subspace M_k^2 of Theorem 3.3), with the theorem's bound. These are
// empirical: a sample maximum is a lower estimate of the true delta.

import type { Engine } from '../instance.js';
import { checkOptions, oneOf, positiveInt, requireOption, seedWords, typeError } from '../validate.js';
import { ptrOperator } from './ptr-operator.js';
import { resolveSparsity, makeProjector, sparsityKeys } from './sparsity.js';
import type { SparsityOptions } from './sparsity.js';
import { summarize } from './stats.js';
import type { Summary } from './stats.js';

export type RipValues = 'uniform' | 'sign' | 'bounded';

export interface RipOptions extends SparsityOptions {
  /** Number of random codes. */
  trials: number;
  /** Seed: trial t draws its codes from stream t of this seed. */
  seed: number | bigint;
  /** Non-zero values: 'uniform' U[-1, 1) (the paper), 'sign' +-1, 'bounded' +-U[0.5, 1). */
  values?: RipValues;
  /**
   * 'all' (default) computes every statistic. 'forward' computes only ||W^T z|| / ||z|| and
   * delta_k (no convolution, projection or second code per trial: much faster on large layers);
   * gram and reconstruction are then empty and delta2K and bound NaN.
   */
  measure?: 'all' | 'forward';
  /** Called now and then with (trials done, trials). */
  onProgress?: (done: number, total: number) => void;
}

export interface RipReport {
  forward: Float64Array;
  gram: Float64Array;
  reconstruction: Float64Array;
  /** max |(||W^T z|| / ||z||)^2 - 1| over the codes. */
  deltaK: number;
  /** the same over sums of two codes (and at least deltaK). */
  delta2K: number;
  /** Theorem 3.3's bound 5 d2k/(1 - dk) sqrt((1 + d2k)/(1 - d2k)); Infinity where it does not apply. */
  bound: number;
  summary: { forward: Summary; gram: Summary; reconstruction: Summary };
  /** What was run. */
  k: number;
  trials: number;
}

/** Theorem 3.3: the one-layer reconstruction error bound from the two distortion factors. */
export function theorem33Bound(deltaK: number, delta2K: number): number {
  if (!(deltaK >= 0 && delta2K >= 0) || deltaK >= 1 || delta2K >= 1) return Infinity;
  return ((5 * delta2K) / (1 - deltaK)) * Math.sqrt((1 + delta2K) / (1 - delta2K));
}

const VALUE_CODE: Record<RipValues, number> = { uniform: 0, sign: 1, bounded: 2 };
/** The second code of trial t starts this far into stream t, past anything the first one draws. */
const SECOND_CODE_OFFSET = 2 ** 40;

export function rip(engine: Engine, W: unknown, options: RipOptions): RipReport {
  const where = 'rip';
  const o = checkOptions<RipOptions>(where, options, [...sparsityKeys, 'trials', 'seed', 'values', 'measure', 'onProgress']);
  const all = (o.measure === undefined ? 'all' : oneOf(where, 'measure', o.measure, ['all', 'forward'] as const)) === 'all';
  const trials = positiveInt(where, 'trials', requireOption(where, 'trials', o.trials), 1e9);
  const [seedLo, seedHi] = seedWords(where, 'seed', requireOption(where, 'seed', o.seed));
  const values = o.values === undefined ? 'uniform' : oneOf(where, 'values', o.values, ['uniform', 'sign', 'bounded'] as const);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw typeError(where, "'onProgress'", 'a function', o.onProgress);
  const op = ptrOperator(engine, where, W);
  const s = (() => {
    try {
      return resolveSparsity(where, op.outputShape, o, true);
    } catch (e) {
      op.release();
      throw e;
    }
  })();
  const { bg, k } = s;
  const n = op.inputSize;
  const m = op.outputSize;
  const kk = Math.max(k, 1);
  let projector;
  try {
    projector = makeProjector(engine, s);
  } catch (e) {
    op.release();
    throw e;
  }
  const forward = new Float64Array(trials);
  const gram = new Float64Array(all ? trials : 0);
  const reconstruction = new Float64Array(all ? trials : 0);
  let deltaK = 0;
  let delta2K = 0;
  try {
    engine.withScratch(
      [n * 4, n * 4, m * 4, m * 4, 2 * kk * 4, 2 * kk * 4, bg.blocks * 4, bg.blocks * 4],
      (x, xHat, h, zHat, idx, val, sup, supVal) => {
        const kern = engine.k;
        engine.f32(zHat!, m).fill(0); // doubles as the dense sum z1 + z2, kept zero between uses
        const report = Math.max(1, Math.floor(trials / 100));
        for (let t = 0; t < trials; t++) {
          // z1 and z2, side by side in (idx, val): z1 in [0, c1), z2 in [c1, c1 + c2).
          const c1 = kern.sampleModelSparse(seedLo, seedHi, t, 0, bg.K, bg.Ho, bg.Wo, bg.ph, bg.pw, k, VALUE_CODE[values], idx!, val!);
          const z2 = kern.sumsq(val!, c1);
          // x = W^T z1
          op.transposeSparsePtr(idx!, val!, c1, x!);
          const x2 = kern.sumsq(x!, n);
          const ratio = z2 > 0 ? Math.sqrt(x2 / z2) : 1;
          forward[t] = ratio;
          deltaK = Math.max(deltaK, Math.abs(ratio * ratio - 1));
          if (!all) {
            if (o.onProgress && ((t + 1) % report === 0 || t + 1 === trials)) o.onProgress(t + 1, trials);
            continue;
          }
          // h = W x
          op.forwardPtr(x!, h!);
          gram[t] = z2 > 0 ? Math.sqrt(kern.sumsq(h!, m) / z2) : 1;
          // x^ = W^T M(h, k)
          const c = projector.project(h!, k, s.relu, zHat!, sup!);
          kern.gather(zHat!, sup!, c, supVal!);
          kern.scatterZero(sup!, c, zHat!);
          op.transposeSparsePtr(sup!, supVal!, c, xHat!);
          reconstruction[t] = x2 > 0 ? Math.sqrt(kern.distsq(xHat!, x!, n) / x2) : 0;
          // z1 + z2 (positions may coincide): ||z1 + z2|| from a dense sum, W^T(z1 + z2) sparse.
          const c2 = kern.sampleModelSparse(seedLo, seedHi, t, SECOND_CODE_OFFSET, bg.K, bg.Ho, bg.Wo, bg.ph, bg.pw, k, VALUE_CODE[values],
            idx! + c1 * 4, val! + c1 * 4);
          kern.scatterAdd(idx!, val!, c1 + c2, zHat!);
          const s2 = kern.sumsq(zHat!, m);
          kern.scatterZero(idx!, c1 + c2, zHat!);
          op.transposeSparsePtr(idx!, val!, c1 + c2, xHat!);
          if (s2 > 0) delta2K = Math.max(delta2K, Math.abs(kern.sumsq(xHat!, n) / s2 - 1));
          if (o.onProgress && ((t + 1) % report === 0 || t + 1 === trials)) o.onProgress(t + 1, trials);
        }
      },
    );
  } finally {
    projector.dispose();
    op.release();
  }
  delta2K = all ? Math.max(delta2K, deltaK) : NaN;
  return {
    forward, gram, reconstruction, deltaK, delta2K,
    bound: all ? theorem33Bound(deltaK, delta2K) : NaN,
    summary: { forward: summarize(forward), gram: summarize(gram), reconstruction: summarize(reconstruction) },
    k, trials,
  };
}
