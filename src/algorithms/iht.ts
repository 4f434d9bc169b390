// Model-based Iterative Hard Thresholding (the paper's Algorithm 1) with Phi = W^T:
//   z_0 = 0, d = x
//   repeat:  b = z + mu * W d        (W d = Phi^T d: one convolution layer)
//            z = M(b, k)             (pooling: the block-sparse projection)
//            d = x - W^T z           (the transposed layer reconstructs)
// One iteration from zero is exactly one CNN layer followed by its transpose (Theorem 3.3):
// reconstruct() below. step 'unit' is Algorithm 1 as printed (mu = 1); 'normalized' is NIHT
// (Blumensath & Davies, 2010): mu = ||g_S||^2 / ||W^T g_S||^2 on the current support S, with
// backtracking whenever the support changes, which makes it converge whatever the scale of W.

import type { Engine } from '../instance.js';
import { checkOptions, float32Exact, checkFinite, positiveInt, oneOf, finiteNumber, rangeError, typeError } from '../validate.js';
import { ptrOperator } from './ptr-operator.js';
import { reportIteration } from './iterate.js';
import type { OnIteration } from './iterate.js';
import type { PtrOperator } from './ptr-operator.js';
import { resolveSparsity, makeProjector, sparsityKeys } from './sparsity.js';
import type { SparsityOptions, ResolvedSparsity } from './sparsity.js';
import type { Projector } from '../projection.js';
import { chooseClaimedParts } from '../conv/choose.js';
import { closeGaps, firstAtOrAfter, splitRange } from '../threads/split.js';

export interface ReconstructOptions extends SparsityOptions {}

export interface ReconstructResult {
  /** z = M(W x, k), dense, with its ascending support. */
  z: Float32Array;
  support: Int32Array;
  /** x^ = W^T z. */
  xHat: Float32Array;
  /** ||x^ - x|| / ||x||. */
  relativeError: number;
}

export interface IhtOptions extends SparsityOptions {
  /** Maximum number of iterations (default 100). */
  iterations?: number;
  /**
   * Stop when the relative error falls to this value, or when it changes by less than
   * tolerance times itself between iterations (a fixed point). Default 1e-6.
   */
  tolerance?: number;
  /** 'unit' (Algorithm 1 as printed, mu = 1) or 'normalized' (NIHT, default). */
  step?: 'unit' | 'normalized';
  /**
   * Called after every iteration with (iteration, relativeError, iterate): `iterate.z` and
   * `iterate.xHat` copy the current code and reconstruction when read, during the call only.
   * Return false to stop.
   */
  onIteration?: OnIteration;
}

export interface IhtResult extends ReconstructResult {
  /** Iterations run. */
  iterations: number;
  /** Relative error after each iteration. */
  history: Float64Array;
}

/** NIHT's backtracking constants (Blumensath & Davies): shrink factor kappa, margin c. */
const KAPPA = 2;
const C_MARGIN = 0.01;

/** Buffers of one IHT run, all in linear memory. */
class IhtWorkspace {
  readonly ptrs: number[];
  readonly x: number; readonly d: number;
  /** W^T z, and NIHT's candidate W^T z' (the two swap when NIHT accepts a step) */
  xHat: number; xTry: number;
  /** NIHT: W^T g_S (the gradient on the step's support, synthesized), and the synthesis of a support change. */
  readonly wg: number; readonly dx: number;
  /** NIHT: the entries where the new support differs from the old, and their values. */
  readonly delta: number; readonly deltaVal: number;
  readonly g: number; readonly z: number;
  /** the code's support and values, and NIHT's candidate's (the two swap when NIHT accepts a step) */
  sup: number; val: number; supTry: number; valTry: number;
  /** NIHT: the squared distance between the candidate and the code by chunks of indices (f64 each), and each range's count of changes (as many ranges as compareIterates can cut) */
  readonly dist: number; readonly changes: number;
  constructor(readonly engine: Engine, n: number, m: number, blocks: number) {
    const B = Math.max(blocks, 1) * 4;
    this.ptrs = engine.allocAll([n * 4, n * 4, n * 4, n * 4, n * 4, n * 4, m * 4, m * 4, B, B, B, B, 2 * B, 2 * B, distChunks(m) * 8, chooseClaimedParts(engine.lanes, Infinity) * 4]);
    [this.x, this.d, this.xHat, this.xTry, this.wg, this.dx, this.g, this.z, this.sup, this.val, this.supTry, this.valTry,
      this.delta, this.deltaVal, this.dist, this.changes] = this.ptrs as [number, number, number, number, number, number, number, number, number,
      number, number, number, number, number, number, number];
  }
  /** NIHT accepted its candidate: it becomes the iterate, and the old one's buffers the next candidate's. */
  acceptTry(): void {
    [this.sup, this.supTry] = [this.supTry, this.sup];
    [this.val, this.valTry] = [this.valTry, this.val];
    [this.xHat, this.xTry] = [this.xTry, this.xHat];
  }
  release(): void {
    for (const p of this.ptrs) this.engine.heap.release(p);
  }
}

interface Problem {
  /** NIHT: updates of xHat since it was last synthesized exactly. */
  incremental: number;
  op: PtrOperator & { release(): void };
  s: ResolvedSparsity;
  projector: Projector;
  ws: IhtWorkspace;
  xNorm: number;
}

function setUp(engine: Engine, where: string, W: unknown, x: unknown, o: SparsityOptions): Problem {
  const op = ptrOperator(engine, where, W);
  try {
    const s = resolveSparsity(where, op.outputShape, o, false);
    float32Exact(where, 'x', x, op.inputSize);
    checkFinite(where, 'x', x as Float32Array);
    // Everything the run will allocate, at once: a call refused by the memory cap leaves memory
    // as it was, and nothing grows mid-run (codes have at most k non-zeros, one per block).
    const { projector, ws } = engine.heap.atomically(() => {
      op.reserve(s.k);
      return { projector: makeProjector(engine, s), ws: new IhtWorkspace(engine, op.inputSize, op.outputSize, s.bg.blocks) };
    });
    engine.f32(ws.x, op.inputSize).set(x as Float32Array);
    const xNorm = Math.sqrt(engine.k.sumsq(ws.x, op.inputSize));
    return { op, s, projector, ws, xNorm, incremental: 0 };
  } catch (e) {
    op.release();
    throw e;
  }
}

function tearDown(p: Problem): void {
  p.ws.release();
  p.projector.dispose();
  p.op.release();
}

/** ||a - b|| / ||x|| (0/0 taken as 0: the zero input is reconstructed exactly). */
function relError(engine: Engine, a: number, b: number, n: number, xNorm: number): number {
  const dist = Math.sqrt(engine.k.distsq(a, b, n));
  return xNorm === 0 ? dist : dist / xNorm;
}

/**
 * z = M(b, k) into (z, sup, val), with b = h + g when gPtr is not 0 (never written out: z may be
 * h); x^ = W^T z into xHatPtr. Returns the support size.
 */
function projectAndSynthesize(p: Problem, h: number, z: number, sup: number, val: number, xHatPtr: number, gPtr = 0): number {
  const count = p.projector.project(h, p.s.k, p.s.relu, z, sup, val, gPtr, 1);
  p.op.transposeSparsePtr(sup, val, count, xHatPtr);
  return count;
}

function result(p: Problem, count: number, relativeError: number): ReconstructResult {
  const { engine } = p.ws;
  return {
    z: engine.f32(p.ws.z, p.op.outputSize).slice(),
    support: engine.i32(p.ws.sup, count).slice(),
    xHat: engine.f32(p.ws.xHat, p.op.inputSize).slice(),
    relativeError,
  };
}

/** One CNN layer and its transpose: z = M(W x, k), x^ = W^T z (Theorem 3.3). */
export function reconstruct(engine: Engine, W: unknown, x: Float32Array, options?: ReconstructOptions): ReconstructResult {
  const where = 'reconstruct';
  const o = checkOptions<ReconstructOptions>(where, options, sparsityKeys);
  const p = setUp(engine, where, W, x, o);
  try {
    const { ws, op } = p;
    op.forwardPtr(ws.x, ws.g);
    const count = projectAndSynthesize(p, ws.g, ws.z, ws.sup, ws.val, ws.xHat);
    return result(p, count, relError(engine, ws.xHat, ws.x, op.inputSize, p.xNorm));
  } finally {
    tearDown(p);
  }
}

/** Model-based IHT (Algorithm 1), unit or normalized step. */
export function iht(engine: Engine, W: unknown, x: Float32Array, options?: IhtOptions): IhtResult {
  const where = 'iht';
  const o = checkOptions<IhtOptions>(where, options, [...sparsityKeys, 'iterations', 'tolerance', 'step', 'onIteration']);
  const iterations = o.iterations === undefined ? 100 : positiveInt(where, 'iterations', o.iterations, 1e7);
  const tolerance = o.tolerance === undefined ? 1e-6 : finiteNumber(where, 'tolerance', o.tolerance);
  if (tolerance < 0) throw rangeError(where, `'tolerance' must be >= 0, got ${tolerance}`);
  const step = o.step === undefined ? 'normalized' : oneOf(where, 'step', o.step, ['unit', 'normalized'] as const);
  if (o.onIteration !== undefined && typeof o.onIteration !== 'function') throw typeError(where, "'onIteration'", 'a function', o.onIteration);
  const p = setUp(engine, where, W, x, o);
  try {
    const { ws, op } = p;
    const { k } = engine;
    const n = op.inputSize;
    const m = op.outputSize;
    const history: number[] = [];
    // z_0 = 0, d = x, x^ = 0, empty support.
    engine.f32(ws.z, m).fill(0);
    engine.f32(ws.xHat, n).fill(0);
    k.copy(ws.d, ws.x, n * 4);
    let count = 0;
    let err = p.xNorm === 0 ? 0 : 1;
    let i = 0;
    while (i < iterations) {
      i++;
      op.forwardPtr(ws.d, ws.g); // g = W d
      if (step === 'unit') {
        count = projectAndSynthesize(p, ws.z, ws.z, ws.sup, ws.val, ws.xHat, ws.g); // z = M(z + g, k)
      } else {
        count = nihtStep(p, count);
      }
      const prev = err;
      err = relError(engine, ws.xHat, ws.x, n, p.xNorm);
      const stops = (e: number) => i === iterations || e <= tolerance || Math.abs(prev - e) <= tolerance * prev;
      if (p.incremental > 0 && stops(err)) {
        // The last iterate, and so the result, is W^T z synthesized exactly, not updated.
        exactSynthesis(p, count);
        err = relError(engine, ws.xHat, ws.x, n, p.xNorm);
      }
      k.sub(ws.x, ws.xHat, ws.d, n); // d = x - W^T z
      history.push(err);
      if (o.onIteration && reportIteration(engine, where, o.onIteration, i, err, ws.z, m, ws.xHat, n) === false) {
        if (p.incremental > 0) {
          exactSynthesis(p, count);
          err = relError(engine, ws.xHat, ws.x, n, p.xNorm);
        }
        break;
      }
      if (err <= tolerance || Math.abs(prev - err) <= tolerance * prev) break;
    }
    return { ...result(p, count, err), iterations: i, history: Float64Array.from(history) };
  } finally {
    tearDown(p);
  }
}

/**
 * One NIHT iteration. On entry ws.g = W d, (z, sup, val) the current iterate with `count`
 * non-zeros and xHat = W^T z. On exit the same for the new iterate; returns its support size.
 * The candidates stay sparse (support and values): comparing one with the iterate is one merge of
 * the two supports (i32_support_change_scalar), and accepting it rewrites z only where either
 * support lies and swaps the buffers. b = z + mu g is never written out: the projection's block
 * maxima compute it as they read z and g, and the merge where it needs it.
 */
function nihtStep(p: Problem, count: number): number {
  const { ws, op } = p;
  const { engine } = ws;
  const { k } = engine;
  const n = op.inputSize;
  // The support S the step size is measured on: the current one, or at the start that of M(g, k).
  let sCount = count;
  let sPtr = ws.sup;
  if (count === 0) {
    sCount = p.projector.project(ws.g, p.s.k, p.s.relu, 0, ws.supTry);
    sPtr = ws.supTry;
  }
  // mu = ||g_S||^2 / ||W^T g_S||^2
  k.gather(ws.g, sPtr, sCount, ws.valTry);
  const gS = k.sumsq(ws.valTry, sCount);
  op.transposeSparsePtr(sPtr, ws.valTry, sCount, ws.wg);
  const WgS = k.sumsq(ws.wg, n);
  let mu = gS > 0 && WgS > 0 ? gS / WgS : 1;
  for (let attempt = 0; ; attempt++) {
    // The change of support is listed (for an update of W^T z) only where it is used: abs mode,
    // an iterate to update, and updates left before the next exact synthesis.
    const listsChange = count > 0 && !p.s.relu && p.incremental < NIHT_REFRESH;
    // M(b, k) of b = z + mu g, which is computed as the projection reads it, never written out
    const c = p.projector.project(ws.z, p.s.k, p.s.relu, 0, ws.supTry, ws.valTry, ws.g, Math.fround(mu));
    const { changed, dz } = compareIterates(p, count, c, mu, listsChange && c >> 1);
    synthesize(p, c, mu, listsChange && changed <= c >> 1 ? changed : -1);
    const sameSupport = count > 0 && c === count && changed === 0;
    let accept = count === 0 || sameSupport || attempt >= 50;
    if (!accept) {
      // omega = (1 - c) ||z_new - z||^2 / ||W^T (z_new - z)||^2; shrink mu while mu > omega.
      const dx = k.distsq(ws.xTry, ws.xHat, n);
      const omega = dx > 0 ? (1 - C_MARGIN) * dz / dx : Infinity;
      accept = mu <= omega;
      if (!accept) mu = mu / (KAPPA * (1 - C_MARGIN));
    }
    if (accept) {
      k.scatterZero(ws.sup, count, ws.z);
      k.scatter(ws.supTry, ws.valTry, c, ws.z);
      ws.acceptTry();
      return c;
    }
  }
}

/** Chunks of indices NIHT's ||z' - z||^2 is summed by (i32_support_change_scalar): fixed, so that the sum is the same however threads split it. */
const DIST_CHUNK_SHIFT = 16;

/** How many such chunks a code of m values has. */
function distChunks(m: number): number {
  return Math.max(1, Math.ceil(m / 2 ** DIST_CHUNK_SHIFT));
}

/**
 * Compares the candidate z' = (supTry, valTry, c) with the iterate z = (sup, val, count): the
 * number of entries where their supports differ, listed (in delta, deltaVal, ascending, with
 * the values of b = z + mu g entering and -b leaving) when there are at most `listUpTo`, and
 * ||z' - z||^2, summed by fixed chunks of indices in order. Threads split the index space
 * into ranges of whole chunks, each merging the parts of the two supports inside its range.
 */
function compareIterates(p: Problem, count: number, c: number, mu: number, listUpTo: number | false): { changed: number; dz: number } {
  const { ws, op } = p;
  const { engine } = ws;
  const m = op.outputSize;
  const chunks = distChunks(m);
  const ranges = splitRange(chunks, chooseClaimedParts(engine.lanes, count + c));
  const sup = engine.i32(ws.sup, count), supTry = engine.i32(ws.supTry, c);
  // each range lists its changes in its own part of delta, from the number of entries of both
  // supports before it on: it has at most its own entries of both
  const listStart: number[] = [];
  const calls = ranges.map(([a, b], r) => {
    const lo = a * 2 ** DIST_CHUNK_SHIFT, hi = Math.min(m, b * 2 ** DIST_CHUNK_SHIFT);
    const i0 = firstAtOrAfter(sup, lo), i1 = firstAtOrAfter(sup, hi), j0 = firstAtOrAfter(supTry, lo), j1 = firstAtOrAfter(supTry, hi);
    listStart.push(i0 + j0);
    return [ws.sup, ws.val, i0, i1, ws.supTry, ws.valTry, j0, j1, ws.z, ws.g, Math.fround(mu), lo, hi, DIST_CHUNK_SHIFT,
      ws.delta + (i0 + j0) * 4, ws.deltaVal + (i0 + j0) * 4, ws.dist, ws.changes + r * 4];
  });
  engine.parallel('iht', 'i32_support_change_scalar', calls);
  const perRange = engine.i32(ws.changes, ranges.length).slice();
  const changed = perRange.reduce((t, d) => t + d, 0);
  if (listUpTo !== false && changed <= listUpTo) closeGaps(engine.k.copy, [ws.delta, ws.deltaVal], listStart, Array.from(perRange));
  const dist = new Float64Array(engine.f32(ws.dist, 2 * chunks).slice().buffer);
  let dz = 0;
  for (let i = 0; i < chunks; i++) dz += dist[i]!;
  return { changed, dz };
}

/** xHat = W^T z from the code itself, ending a chain of updates. */
function exactSynthesis(p: Problem, count: number): void {
  p.op.transposeSparsePtr(p.ws.sup, p.ws.val, count, p.ws.xHat);
  p.incremental = 0;
}

/** Exact syntheses between incremental ones: bounds the rounding an update chain can gather. */
const NIHT_REFRESH = 16;

/**
 * xTry = W^T z' for the candidate z' = (supTry, valTry, c). In 'abs' mode the projection keeps
 * b's values, so z' = b_S + (b on S' \ S) - (b on S \ S'), with b_S = z + mu g_S on the current
 * support S: W^T z' is xHat + mu W^T g_S plus the synthesis of the support's change (`changed`
 * entries in delta), which near convergence touches few entries. changed < 0 (a change larger
 * than half the support, ReLU mode, the first step, every NIHT_REFRESH-th update) synthesizes z'
 * itself.
 */
function synthesize(p: Problem, c: number, mu: number, changed: number): void {
  const { ws, op } = p;
  const { engine } = ws;
  const { k } = engine;
  const n = op.inputSize;
  if (changed < 0) {
    p.incremental = 0;
    op.transposeSparsePtr(ws.supTry, ws.valTry, c, ws.xTry);
    return;
  }
  p.incremental++;
  k.waxpy(Math.fround(mu), ws.wg, ws.xHat, ws.xTry, n);
  if (changed > 0) {
    op.transposeSparsePtr(ws.delta, ws.deltaVal, changed, ws.dx);
    k.axpy(1, ws.dx, ws.xTry, n);
  }
}
