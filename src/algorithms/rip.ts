// Empirical model-RIP of W^T (section 2.3, Figures 2 and 3): for random model-k-sparse codes z
// (k blocks uniformly, one uniformly placed non-zero in each),
//   forward        ||W^T z|| / ||z||                  should concentrate at 1   (Fig. 2a, 3a)
//   gram           ||W W^T z|| / ||z||                                          (Fig. 2b)
//   reconstruction ||W^T M(W x, k) - x|| / ||x||, x = W^T z                    (Fig. 2c)
// and the distortion seen: delta_k = max |ratio^2 - 1| over the codes, delta_2k the same over
// sums of two codes (the subspace M_k^2 of Theorem 3.3), with the theorem's bound. These are
// empirical: a sample maximum is a lower estimate of the true delta.

import type { Engine } from '../instance.js';
import { hashHex } from '../hash.js';
import {
  checkOptions, nonNegativeInt, oneOf, operatorSizes, positiveInt, rangeError, requireOption, seedWords, typeError,
} from '../validate.js';
import { ptrOperator } from './ptr-operator.js';
import type { PtrOperator } from './ptr-operator.js';
import { resolveSparsity, makeProjector, sparsityKeys } from './sparsity.js';
import type { SparsityOptions, ResolvedSparsity } from './sparsity.js';
import { summarize } from './stats.js';
import type { Summary } from './stats.js';

export type RipValues = 'uniform' | 'sign' | 'bounded';

/** One part of a study split over processes or machines: shard `index` of `count`. */
export interface RipShard {
  index: number;
  count: number;
}

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
  /**
   * Run only the trials of this shard: the contiguous range [floor(index trials / count),
   * floor((index + 1) trials / count)). The report then holds that range (see RipReport.shard);
   * mergeRipReports joins the shards of a study into exactly the report of the whole run.
   */
  shard?: RipShard;
  /**
   * Spread the trials over this many worker threads (Node worker_threads, or Web Workers), one
   * wasm instance each; `cs.rip` then returns a Promise of the same report, bit for bit.
   */
  workers?: number;
  /** With workers: ms a worker may say nothing while it runs a task (its start-up included) before the call fails (default 60000). */
  workerTimeout?: number;
  /** Called now and then with (trials done, trials) (of the shard, when sharded). */
  onProgress?: (done: number, total: number) => void;
}

/** Which part of a study a shard report holds. */
export interface RipShardInfo {
  index: number;
  count: number;
  /** The trials run: [start, end) of the study's trials. */
  start: number;
  end: number;
  measure: 'all' | 'forward';
  /** Everything that fixes the study's bits except the operator: shards merge only when equal. */
  run: string;
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
  /** What was run: k, and the number of trials of the whole study (also for a shard). */
  k: number;
  trials: number;
  /** Only in a shard's report: the arrays, deltas and summary then cover trials [start, end). */
  shard?: RipShardInfo;
}

/** Theorem 3.3: the one-layer reconstruction error bound from the two distortion factors. */
export function theorem33Bound(deltaK: number, delta2K: number): number {
  if (!(deltaK >= 0 && delta2K >= 0) || deltaK >= 1 || delta2K >= 1) return Infinity;
  return ((5 * delta2K) / (1 - deltaK)) * Math.sqrt((1 + delta2K) / (1 - delta2K));
}

const VALUE_CODE: Record<RipValues, number> = { uniform: 0, sign: 1, bounded: 2 };
/** The second code of trial t starts this far into stream t, past anything the first one draws. */
export const RIP_SECOND_CODE_START = 2 ** 40;

/** The validated options of one run. Internal: shared with the worker pool (src/parallel). */
export interface RipPlan {
  all: boolean;
  trials: number;
  seedLo: number;
  seedHi: number;
  values: RipValues;
  s: ResolvedSparsity;
  /** The trials this call runs: all of them, or the shard's range. */
  start: number;
  end: number;
  shard?: RipShard;
  run: string;
}

/** The contiguous range of trials of shard `index` of `count`. */
export function shardRange(trials: number, index: number, count: number): [number, number] {
  return [Math.floor((index * trials) / count), Math.floor(((index + 1) * trials) / count)];
}

/** Trials [start, end) of a run: the per-trial arrays and the raw maxima. Internal. */
export interface RipPartial {
  forward: Float64Array;
  gram: Float64Array;
  reconstruction: Float64Array;
  deltaK: number;
  /** max over sums of two codes only (not yet combined with deltaK). */
  delta2K: number;
}

/**
 * Check every option and the operator, in the order rip always has, and resolve them. Returns
 * the plan and the pointer-level operator (the caller releases it).
 */
export function planRip(engine: Engine, where: string, W: unknown, options: unknown): { plan: RipPlan; op: PtrOperator & { release(): void } } {
  const o = checkOptions<RipOptions>(where, options, [...sparsityKeys, 'trials', 'seed', 'values', 'measure', 'shard', 'workers', 'workerTimeout', 'onProgress']);
  const measure = o.measure === undefined ? 'all' : oneOf(where, 'measure', o.measure, ['all', 'forward'] as const);
  const trials = positiveInt(where, 'trials', requireOption(where, 'trials', o.trials), 1e9);
  const [seedLo, seedHi] = seedWords(where, 'seed', requireOption(where, 'seed', o.seed));
  const values = o.values === undefined ? 'uniform' : oneOf(where, 'values', o.values, ['uniform', 'sign', 'bounded'] as const);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw typeError(where, "'onProgress'", 'a function', o.onProgress);
  let shard: RipShard | undefined;
  if (o.shard !== undefined) {
    if (o.shard === null || typeof o.shard !== 'object' || Array.isArray(o.shard)) {
      throw typeError(where, "'shard'", 'an object { index, count }', o.shard);
    }
    const sh = checkOptions<RipShard>(`${where} (shard)`, o.shard, ['index', 'count']);
    const count = positiveInt(where, 'shard.count', requireOption(where, 'shard.count', sh.count), trials);
    const index = nonNegativeInt(where, 'shard.index', requireOption(where, 'shard.index', sh.index));
    if (index >= count) throw rangeError(where, `'shard.index' must be in [0, ${count - 1}] (shard.count ${count}), got ${index}`);
    shard = { index, count };
  }
  const op = ptrOperator(engine, where, W);
  try {
    operatorSizes(where, op.inputSize, op.outputSize, op.outputShape);
    const s = resolveSparsity(where, op.outputShape, o, true);
    const [start, end] = shard ? shardRange(trials, shard.index, shard.count) : [0, trials];
    const seed = (BigInt(seedHi) << 32n) | BigInt(seedLo);
    const run = [
      `trials=${trials}`, `seed=${seed}`, `values=${values}`, `measure=${measure}`, `k=${s.k}`,
      `pool=${s.bg.ph}x${s.bg.pw}`, `mode=${s.relu ? 'relu' : 'abs'}`, `code=${op.outputShape.join('x')}`,
      `input=${op.inputSize}`, `backend=${engine.backend}`,
      // shards of studies on different weights of the same shape must not merge
      `operator=${hashHex(op.identity())}`,
    ].join(';');
    return { plan: { all: measure === 'all', trials, seedLo, seedHi, values, s, start, end, shard, run }, op };
  } catch (e) {
    op.release();
    throw e;
  }
}

/**
 * Run trials [start, end) of a plan. Every trial depends only on (seed, t) and the operator, so
 * any split of the trials gives the same per-trial bits, and the maxima combine exactly.
 */
export function ripRange(
  engine: Engine, op: PtrOperator, plan: RipPlan, start: number, end: number,
  onProgress?: (done: number, total: number) => void,
): RipPartial {
  const { s, all, seedLo, seedHi } = plan;
  const { bg, k } = s;
  const valueCode = VALUE_CODE[plan.values];
  const n = op.inputSize;
  const m = op.outputSize;
  const kk = Math.max(k, 1);
  const count = end - start;
  const forward = new Float64Array(count);
  const gram = new Float64Array(all ? count : 0);
  const reconstruction = new Float64Array(all ? count : 0);
  let deltaK = 0;
  let delta2K = 0;
  // The projector and the scratch in one all-or-nothing allocation: a run too large for the
  // memory cap is refused before memory grows (a refusal gives every block back).
  // The operator's own scratch for codes of up to 2k non-zeros (sums of two codes) is part of it.
  const [projector, scratch] = engine.heap.atomically(() => {
    op.reserve(2 * kk);
    return [
      makeProjector(engine, s),
      engine.allocAll([n * 4, n * 4, m * 4, m * 4, 2 * kk * 4, 2 * kk * 4, bg.blocks * 4, bg.blocks * 4]),
    ] as const;
  });
  const [x, xHat, h, zHat, idx, val, sup, supVal] = scratch as [number, number, number, number, number, number, number, number];
  try {
    const kern = engine.k;
    engine.f32(zHat, m).fill(0); // doubles as the dense sum z1 + z2, kept zero between uses
    const report = Math.max(1, Math.floor(count / 100));
    for (let t = start; t < end; t++) {
      const i = t - start;
      // z1 and z2, side by side in (idx, val): z1 in [0, c1), z2 in [c1, c1 + c2).
      const c1 = kern.sampleModelSparse(seedLo, seedHi, t, 0, bg.K, bg.Ho, bg.Wo, bg.ph, bg.pw, k, valueCode, idx, val);
      const z2 = kern.sumsq(val, c1);
      // x = W^T z1
      op.transposeSparsePtr(idx, val, c1, x);
      const x2 = kern.sumsq(x, n);
      const ratio = z2 > 0 ? Math.sqrt(x2 / z2) : 1;
      forward[i] = ratio;
      deltaK = Math.max(deltaK, Math.abs(ratio * ratio - 1));
      if (!all) {
        if (onProgress && ((i + 1) % report === 0 || i + 1 === count)) onProgress(i + 1, count);
        continue;
      }
      // h = W x
      op.forwardPtr(x, h);
      gram[i] = z2 > 0 ? Math.sqrt(kern.sumsq(h, m) / z2) : 1;
      // x^ = W^T M(h, k)
      const c = projector.project(h, k, s.relu, zHat, sup);
      kern.gather(zHat, sup, c, supVal);
      kern.scatterZero(sup, c, zHat);
      op.transposeSparsePtr(sup, supVal, c, xHat);
      reconstruction[i] = x2 > 0 ? Math.sqrt(kern.distsq(xHat, x, n) / x2) : 0;
      // z1 + z2 (positions may coincide): ||z1 + z2|| from a dense sum, W^T(z1 + z2) sparse.
      const c2 = kern.sampleModelSparse(seedLo, seedHi, t, RIP_SECOND_CODE_START, bg.K, bg.Ho, bg.Wo, bg.ph, bg.pw, k, valueCode,
        idx + c1 * 4, val + c1 * 4);
      kern.scatterAdd(idx, val, c1 + c2, zHat);
      const s2 = kern.sumsq(zHat, m);
      kern.scatterZero(idx, c1 + c2, zHat);
      op.transposeSparsePtr(idx, val, c1 + c2, xHat);
      if (s2 > 0) delta2K = Math.max(delta2K, Math.abs(kern.sumsq(xHat, n) / s2 - 1));
      if (onProgress && ((i + 1) % report === 0 || i + 1 === count)) onProgress(i + 1, count);
    }
  } finally {
    for (const p of scratch) engine.heap.release(p);
    projector.dispose();
  }
  return { forward, gram, reconstruction, deltaK, delta2K };
}

/** The report of a plan from the partial results of its trials (all of them, in order). */
export function ripReport(plan: RipPlan, p: RipPartial): RipReport {
  const delta2K = plan.all ? Math.max(p.delta2K, p.deltaK) : NaN;
  const report: RipReport = {
    forward: p.forward, gram: p.gram, reconstruction: p.reconstruction, deltaK: p.deltaK, delta2K,
    bound: plan.all ? theorem33Bound(p.deltaK, delta2K) : NaN,
    summary: { forward: summarize(p.forward), gram: summarize(p.gram), reconstruction: summarize(p.reconstruction) },
    k: plan.s.k, trials: plan.trials,
  };
  if (plan.shard) {
    report.shard = {
      ...plan.shard, start: plan.start, end: plan.end, measure: plan.all ? 'all' : 'forward', run: plan.run,
    };
  }
  return report;
}

export function rip(engine: Engine, W: unknown, options: RipOptions): RipReport {
  const where = 'rip';
  const { plan, op } = planRip(engine, where, W, options);
  try {
    // cs.rip sends calls with `workers` to src/parallel; reaching here with it is a misuse.
    if (options.workers !== undefined) throw new TypeError(`convcs.${where}: 'workers' needs cs.rip (it returns a Promise then)`);
    return ripReport(plan, ripRange(engine, op, plan, plan.start, plan.end, options.onProgress));
  } finally {
    op.release();
  }
}
