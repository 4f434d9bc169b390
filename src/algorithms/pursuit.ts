// What the model-based pursuits (CoSaMP, HTP, Subspace Pursuit) share: their options, their
// buffers in linear memory, and the support bookkeeping. Phi = W^T throughout, as in iht.ts:
// the proxy of a residual r is W r (one convolution layer), and a code z synthesizes W^T z.
// Baraniuk, Cevher, Duarte & Hegde (2010) make these methods model-based by replacing every
// "keep the k largest" by the model projection M(., k) (one non-zero per pooling block, k blocks).

import type { Engine } from '../instance.js';
import { checkFinite, finiteNumber, float32Exact, positiveInt, rangeError, typeError } from '../validate.js';
import { ptrOperator } from './ptr-operator.js';
import { reportIteration } from './iterate.js';
import type { OnIteration } from './iterate.js';
import type { PtrOperator } from './ptr-operator.js';
import { makeProjector, resolveSparsity, sparsityKeys } from './sparsity.js';
import type { ResolvedSparsity, SparsityOptions } from './sparsity.js';
import type { Projector } from '../projection.js';
import type { IhtResult } from './iht.js';
import type { LsBuffers } from './least-squares.js';

export interface PursuitOptions extends SparsityOptions {
  /** Maximum number of iterations (default 50). */
  iterations?: number;
  /**
   * Stop when the relative error falls to this value, or when it changes by less than
   * tolerance times itself between iterations. Default 1e-6.
   */
  tolerance?: number;
  /** Most conjugate-gradient steps per least-squares solve (default 50). */
  lsIterations?: number;
  /**
   * Each least-squares solve stops when ||W_T (x - W_T^T b)|| <= lsTolerance ||W_T x|| (the
   * normal equations on the support T, relative to their right-hand side). Default 1e-7.
   */
  lsTolerance?: number;
  /** As in iht: (iteration, relativeError, iterate) after every iteration; return false to stop. */
  onIteration?: OnIteration;
}

export interface PursuitResult extends IhtResult {
  /** Conjugate-gradient steps of all the least-squares solves (each one forward and one sparse transpose). */
  lsSteps: number;
}

export const pursuitKeys = [...sparsityKeys, 'iterations', 'tolerance', 'lsIterations', 'lsTolerance', 'onIteration'] as const;

export interface PursuitSettings {
  iterations: number;
  tolerance: number;
  lsIterations: number;
  lsTolerance: number;
  onIteration?: OnIteration;
}

/** The option values shared by the pursuits, checked (the keys were checked by the caller). */
export function pursuitSettings(where: string, o: Partial<PursuitOptions>): PursuitSettings {
  const iterations = o.iterations === undefined ? 50 : positiveInt(where, 'iterations', o.iterations, 1e7);
  const tolerance = o.tolerance === undefined ? 1e-6 : finiteNumber(where, 'tolerance', o.tolerance);
  if (tolerance < 0) throw rangeError(where, `'tolerance' must be >= 0, got ${tolerance}`);
  const lsIterations = o.lsIterations === undefined ? 50 : positiveInt(where, 'lsIterations', o.lsIterations, 1e7);
  const lsTolerance = o.lsTolerance === undefined ? 1e-7 : finiteNumber(where, 'lsTolerance', o.lsTolerance);
  if (lsTolerance < 0) throw rangeError(where, `'lsTolerance' must be >= 0, got ${lsTolerance}`);
  if (o.onIteration !== undefined && typeof o.onIteration !== 'function') throw typeError(where, "'onIteration'", 'a function', o.onIteration);
  return { iterations, tolerance, lsIterations, lsTolerance, onIteration: o.onIteration };
}

/**
 * Buffers of one pursuit run, all in linear memory. Input-sized: x, the residual r, scratch q,
 * the synthesis xHat and a candidate xTry. Code-sized: the proxy g, W x, the iterate z, a dense
 * scratch b and a candidate zTry. Compact (at most `cap` entries: supports and values on them):
 * the iterate's support and values, a candidate's, the merged support T with the least-squares
 * unknowns bc and the conjugate-gradient vectors p and s.
 */
export class PursuitWorkspace {
  readonly ptrs: number[];
  readonly x: number; readonly r: number; readonly q: number; readonly xHat: number; readonly xTry: number;
  readonly g: number; readonly wx: number; readonly z: number; readonly b: number; readonly zTry: number;
  readonly sup: number; readonly val: number; readonly supTry: number; readonly valTry: number;
  readonly T: number; readonly bc: number; readonly p: number; readonly s: number;
  constructor(readonly engine: Engine, n: number, m: number, readonly cap: number) {
    const N = n * 4;
    const Mb = m * 4;
    const C = Math.max(cap, 1) * 4;
    this.ptrs = engine.allocAll([N, N, N, N, N, Mb, Mb, Mb, Mb, Mb, C, C, C, C, C, C, C, C]);
    [this.x, this.r, this.q, this.xHat, this.xTry, this.g, this.wx, this.z, this.b, this.zTry,
      this.sup, this.val, this.supTry, this.valTry, this.T, this.bc, this.p, this.s] = this.ptrs as [
      number, number, number, number, number, number, number, number, number, number,
      number, number, number, number, number, number, number, number];
  }
  release(): void {
    for (const p of this.ptrs) this.engine.heap.release(p);
  }
  /** The least-squares solver's view of these buffers, on the support at T. */
  ls(): LsBuffers {
    return { x: this.x, r: this.r, q: this.q, g: this.g, wx: this.wx, T: this.T, bc: this.bc, p: this.p, s: this.s };
  }
}

export interface Pursuit {
  engine: Engine;
  op: PtrOperator & { release(): void };
  s: ResolvedSparsity;
  projector: Projector;
  ws: PursuitWorkspace;
  xNorm: number;
  /** Support size of the current iterate z. */
  count: number;
  /** Conjugate-gradient steps so far. */
  lsSteps: number;
}

/**
 * Check the operator, the sparsity and x, then allocate; `supportFactor` is the largest merged
 * support in multiples of k (CoSaMP merges k + 2k). On exit: z = 0, x^ = 0, r = x, g = wx = W x.
 */
export function setUpPursuit(engine: Engine, where: string, W: unknown, x: unknown, o: SparsityOptions, supportFactor: number): Pursuit {
  const op = ptrOperator(engine, where, W);
  try {
    const s = resolveSparsity(where, op.outputShape, o, false);
    float32Exact(where, 'x', x, op.inputSize);
    checkFinite(where, 'x', x as Float32Array);
    const n = op.inputSize;
    const m = op.outputSize;
    // everything the run allocates, at once: a call refused by the memory cap leaves memory as it
    // was, and the operator's sparse scratch covers the largest merged support from the start
    const cap = Math.min(m, supportFactor * Math.max(s.k, 1));
    const { projector, ws } = engine.heap.atomically(() => {
      op.reserve(cap);
      return { projector: makeProjector(engine, s), ws: new PursuitWorkspace(engine, n, m, cap) };
    });
    const { k } = engine;
    engine.f32(ws.x, n).set(x as Float32Array);
    const xNorm = Math.sqrt(k.sumsq(ws.x, n));
    k.zero(ws.z, m * 4);
    k.zero(ws.xHat, n * 4);
    k.copy(ws.r, ws.x, n * 4);
    op.forwardPtr(ws.x, ws.wx);
    k.copy(ws.g, ws.wx, m * 4);
    return { engine, op, s, projector, ws, xNorm, count: 0, lsSteps: 0 };
  } catch (e) {
    op.release();
    throw e;
  }
}

export function tearDownPursuit(p: Pursuit): void {
  p.ws.release();
  p.projector.dispose();
  p.op.release();
}

/** ||x^ - x|| / ||x|| for the synthesis at xHatPtr (0/0 taken as 0). */
export function pursuitError(p: Pursuit, xHatPtr: number): number {
  const n = p.op.inputSize;
  const dist = Math.sqrt(p.engine.k.distsq(xHatPtr, p.ws.x, n));
  return p.xNorm === 0 ? dist : dist / p.xNorm;
}

/**
 * Make (zPtr, supPtr, count) with its values at valPtr the iterate: dense z, support, values,
 * x^ = W^T z and r = x - x^. One sparse transpose, unless the caller has W^T z at xHatFrom.
 */
export function commitIterate(p: Pursuit, zPtr: number, supPtr: number, valPtr: number, count: number, xHatFrom?: number): void {
  const { ws, op, engine } = p;
  const { k } = engine;
  const n = op.inputSize;
  const m = op.outputSize;
  if (zPtr !== ws.z) k.copy(ws.z, zPtr, m * 4);
  if (supPtr !== ws.sup) k.copy(ws.sup, supPtr, count * 4);
  if (valPtr !== ws.val) k.copy(ws.val, valPtr, count * 4);
  p.count = count;
  if (xHatFrom === undefined) op.transposeSparsePtr(ws.sup, ws.val, count, ws.xHat);
  else k.copy(ws.xHat, xHatFrom, n * 4);
  k.sub(ws.x, ws.xHat, ws.r, n);
}

/** Dense code at zPtr: zero, then the `count` values at valPtr placed on the support at supPtr. */
export function scatterCode(p: Pursuit, supPtr: number, valPtr: number, count: number, zPtr: number): void {
  const { k } = p.engine;
  k.zero(zPtr, p.op.outputSize * 4);
  k.scatterAdd(supPtr, valPtr, count, zPtr);
}

/** The sorted union of two ascending index lists into outPtr; returns its length. */
export function unionSupports(engine: Engine, aPtr: number, na: number, bPtr: number, nb: number, outPtr: number): number {
  const { i32 } = engine.views();
  const a = aPtr >> 2;
  const b = bPtr >> 2;
  const o = outPtr >> 2;
  let i = 0;
  let j = 0;
  let c = 0;
  while (i < na && j < nb) {
    const u = i32[a + i]!;
    const v = i32[b + j]!;
    if (u < v) { i32[o + c++] = u; i++; } else if (v < u) { i32[o + c++] = v; j++; } else { i32[o + c++] = u; i++; j++; }
  }
  while (i < na) i32[o + c++] = i32[a + i++]!;
  while (j < nb) i32[o + c++] = i32[b + j++]!;
  return c;
}

/** Whether every index of the ascending list at subPtr is in the ascending list at setPtr. */
export function isSubset(engine: Engine, subPtr: number, nSub: number, setPtr: number, nSet: number): boolean {
  const { i32 } = engine.views();
  const a = subPtr >> 2;
  const b = setPtr >> 2;
  let j = 0;
  for (let i = 0; i < nSub; i++) {
    const u = i32[a + i]!;
    while (j < nSet && i32[b + j]! < u) j++;
    if (j === nSet || i32[b + j] !== u) return false;
  }
  return true;
}

export function sameSupport(engine: Engine, aPtr: number, bPtr: number, n: number): boolean {
  const { i32 } = engine.views();
  const a = aPtr >> 2;
  const b = bPtr >> 2;
  for (let i = 0; i < n; i++) if (i32[a + i] !== i32[b + i]) return false;
  return true;
}

/** IHT's stopping rule: small enough, or no longer changing. */
export function converged(err: number, prev: number, tolerance: number): boolean {
  return err <= tolerance || Math.abs(prev - err) <= tolerance * prev;
}

/** The result of the current iterate (copies out of linear memory). */
export function pursuitResult(p: Pursuit, err: number, iterations: number, history: number[]): PursuitResult {
  const { engine, ws, op } = p;
  return {
    z: engine.f32(ws.z, op.outputSize).slice(),
    support: engine.i32(ws.sup, p.count).slice(),
    xHat: engine.f32(ws.xHat, op.inputSize).slice(),
    relativeError: err,
    iterations,
    history: Float64Array.from(history),
    lsSteps: p.lsSteps,
  };
}

/** Hand the run's current iterate (z, x^) to onIteration, if there is one; false stops the run. */
export function onIterationOf(p: Pursuit, where: string, st: PursuitSettings, i: number, err: number): boolean {
  if (!st.onIteration) return true;
  return reportIteration(p.engine, where, st.onIteration, i, err, p.ws.z, p.op.outputSize, p.ws.xHat, p.op.inputSize) !== false;
}
