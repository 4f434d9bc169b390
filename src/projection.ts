// The block-sparse projection M(h, k) of section 2.3, max pooling with switches, and unpooling.
// Blocks are the non-overlapping pooling regions of each filter's output map (ceil mode: partial
// regions at the right and bottom edges count), or one block per filter ('global', the paper's
// 1-D theory). M keeps the largest entry of each block, then the k strongest blocks.

import { chooseBlockMax, chooseClaimedParts, chooseParts } from './conv/choose.js';
import { closeGaps, firstAtOrAfter, splitRange } from './threads/split.js';
import type { SimdKernelExports } from './generated/kernels.js';
import type { Engine } from './instance.js';
import {
  MAX_ELEMENTS, checkOptions, finiteNumber, float32Exact, checkFinite, intPair, nonNegativeInt, oneOf,
  positiveInt, rangeError, requireOption, typeError,
} from './validate.js';

/** 'global' (one block per filter), p (p in 1-D, p x p in 2-D) or [ph, pw]. */
export type Pool = 'global' | number | readonly [number, number];

/** 'abs': keep the entry of largest |value| (signed codes). 'relu': largest value after ReLU. */
export type ProjectMode = 'abs' | 'relu';

export interface ProjectOptions {
  /** Shape of one code: [K, n] (1-D) or [K, Ho, Wo] (2-D), e.g. `W.outputShape`. */
  shape: readonly number[];
  pool?: Pool;
  /** Number of blocks to keep, in [0, blocks]. Default: all blocks (plain max pooling). */
  k?: number;
  /** Fraction of non-zeros in [0, 1]: k = round(density * h.length). */
  density?: number;
  mode?: ProjectMode;
}

export interface ProjectResult {
  /** The projected code, same length as h, with min(k, blocks) entries kept. */
  z: Float32Array;
  /** Flat indices of the kept entries, ascending. */
  support: Int32Array;
}

export interface PoolOptions {
  shape: readonly number[];
  pool?: Pool;
  mode?: ProjectMode;
}

export interface MaxPoolResult {
  /** The pooled values, one per block, in block order ([K, Bh, Bw] or [K, Bn]). */
  values: Float32Array;
  /** For each block, the flat index into h of the entry kept (ties: lowest index). */
  switches: Int32Array;
  /** Shape of `values`. */
  shape: readonly number[];
}

export interface UnpoolOptions {
  /** Shape of the unpooled map, as for maxPool. */
  shape: readonly number[];
  pool?: Pool;
  /** Where each value goes; without them each value goes to its block's first element (naive). */
  switches?: Int32Array;
}

/** A code shape and pooling resolved to block geometry. */
export interface BlockGeometry {
  dims: 1 | 2;
  K: number; Ho: number; Wo: number;
  ph: number; pw: number;
  Bh: number; Bw: number;
  /** Number of blocks, K Bh Bw. */
  blocks: number;
  /** Length of one code, K Ho Wo. */
  length: number;
}

export function blockGeometry(where: string, shape: unknown, pool: unknown): BlockGeometry {
  if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3)) {
    throw typeError(where, "'shape'", 'a code shape [K, n] or [K, Ho, Wo]', shape);
  }
  const dims = shape.length === 2 ? 1 : 2;
  const K = positiveInt(where, 'shape[0]', shape[0]);
  const Ho = dims === 1 ? 1 : positiveInt(where, 'shape[1]', shape[1]);
  const Wo = positiveInt(where, `shape[${dims}]`, shape[dims]);
  if (K * Ho * Wo > MAX_ELEMENTS) throw rangeError(where, `a code of shape ${shape.join('x')} exceeds ${MAX_ELEMENTS} values`);
  let ph: number, pw: number;
  if (pool === undefined || pool === 'global') {
    ph = Ho;
    pw = Wo;
  } else if (dims === 1) {
    if (typeof pool !== 'number') throw typeError(where, "'pool'", "'global' or a positive integer for a 1-D code", pool);
    ph = 1;
    pw = positiveInt(where, 'pool', pool);
  } else {
    if (typeof pool === 'string') throw typeError(where, "'pool'", "'global', p or [ph, pw]", pool);
    [ph, pw] = intPair(where, 'pool', pool, positiveInt);
  }
  if (ph > Ho || pw > Wo) {
    throw rangeError(where, `pool ${dims === 1 ? pw : `${ph}x${pw}`} does not fit a map of ${dims === 1 ? Wo : `${Ho}x${Wo}`}; use 'global' for one block per filter`);
  }
  const Bh = Math.ceil(Ho / ph);
  const Bw = Math.ceil(Wo / pw);
  return { dims, K, Ho, Wo, ph, pw, Bh, Bw, blocks: K * Bh * Bw, length: K * Ho * Wo };
}

/** k from either k or density (not both); default all blocks. */
export function resolveK(where: string, bg: BlockGeometry, k: unknown, density: unknown): number {
  if (k !== undefined && density !== undefined) throw new TypeError(`convcs.${where}: give 'k' or 'density', not both`);
  if (k !== undefined) {
    const kk = nonNegativeInt(where, 'k', k, Number.MAX_SAFE_INTEGER);
    if (kk > bg.blocks) throw rangeError(where, `'k' must be in [0, ${bg.blocks}] (the number of pooling blocks), got ${kk}`);
    return kk;
  }
  if (density !== undefined) {
    const d = finiteNumber(where, 'density', density);
    if (d < 0 || d > 1) throw rangeError(where, `'density' must be in [0, 1], got ${d}`);
    const kk = Math.round(d * bg.length);
    if (kk > bg.blocks) {
      throw rangeError(where, `'density' ${d} asks for ${kk} non-zeros, but the pooling keeps at most one per block: ${bg.blocks} (density ${(bg.blocks / bg.length).toFixed(4)})`);
    }
    return kk;
  }
  return bg.blocks;
}

/** The top-k histogram: 4096 buckets of the magnitudes' top 12 bits (u32_top_k_histogram_scalar). */
const HISTOGRAM_BUCKETS = 4096;
const HISTOGRAM_BYTES = HISTOGRAM_BUCKETS * 4;

/**
 * Scratch and kernels of M(h, k) for one block geometry, reusable across calls (IHT runs one
 * projection per iteration).
 */
export class Projector {
  readonly bg: BlockGeometry;
  private readonly engine: Engine;
  private readonly ptrs: number[];
  readonly ptrVal: number;
  readonly ptrMag: number;
  readonly ptrIdx: number;
  readonly ptrSel: number;
  readonly ptrHist: number;
  /** The SIMD kernels when the blocks are 2x2 (four blocks per f32x4, the same winners). */
  private readonly simd2x2: SimdKernelExports | undefined;

  constructor(engine: Engine, bg: BlockGeometry) {
    this.engine = engine;
    this.bg = bg;
    const B = bg.blocks * 4;
    this.blockRanges = splitRange(bg.blocks, chooseParts(engine.lanes, bg.blocks));
    // top-k scratch: a histogram of 4096 counters per range of blocks, then one count per range
    // and the narrowing's two outputs
    const parts = Math.max(this.blockRanges.length, 1);
    this.ptrs = engine.allocAll([B, B, B, B, parts * HISTOGRAM_BYTES + (parts + 2) * 4]);
    [this.ptrVal, this.ptrMag, this.ptrIdx, this.ptrSel, this.ptrHist] = this.ptrs as [number, number, number, number, number];
    this.simd2x2 = chooseBlockMax(engine.simdAbi !== undefined, bg.ph, bg.pw) === '2x2-simd' ? engine.simdAbi : undefined;
    this.maps = splitRange(bg.K, chooseClaimedParts(engine.lanes, bg.length));
  }

  /** Ranges of blocks the threads split the top-k's passes over the blocks by (one without threads). */
  private readonly blockRanges: Array<[number, number]>;

  /**
   * Ranges of filter maps the threads split the block maxima and the scatter by (one range
   * without threads): each map's blocks, winners and support entries are its own. The top-k
   * selection between them ranks all blocks at once, on the calling thread.
   */
  private readonly maps: Array<[number, number]>;

  /** Block maxima of the code at hPtr, or of h + mu g when gPtr is not 0 (values, magnitudes, switches). */
  blockMax(hPtr: number, relu: boolean, gPtr = 0, mu = 0): void {
    const { Ho, Wo, ph, pw } = this.bg;
    const r = relu ? 1 : 0;
    if (this.simd2x2) {
      this.engine.parallel('project', 'f32_block_max_2x2_4x_simd', this.maps.map(([k0, k1]) => [hPtr, gPtr, mu, k0, k1, Ho, Wo, r, this.ptrVal, this.ptrMag, this.ptrIdx]));
    } else {
      this.engine.parallel('project', 'f32_block_max_scalar', this.maps.map(([k0, k1]) => [hPtr, gPtr, mu, k0, k1, Ho, Wo, ph, pw, r, this.ptrVal, this.ptrMag, this.ptrIdx]));
    }
  }

  /**
   * M(h, k) of the code at hPtr, or of h + mu g when gPtr is not 0 (computed as it is read, never
   * written out; zPtr may then be hPtr): its ascending support into supportPtr, the kept values
   * in the same order into valuesPtr (when not 0), and the dense code into zPtr (when not 0: a
   * caller that keeps the code sparse writes no dense vector). Returns the support's size.
   */
  project(hPtr: number, k: number, relu: boolean, zPtr: number, supportPtr: number, valuesPtr = 0, gPtr = 0, mu = 0): number {
    const { k: kern } = this.engine;
    const { Ho, Wo, ph, pw } = this.bg;
    this.blockMax(hPtr, relu, gPtr, mu);
    const count = this.topK(k);
    if (this.maps.length === 1) {
      kern.blockScatter(this.ptrSel, count, this.ptrVal, this.ptrIdx, zPtr, this.bg.length, supportPtr, valuesPtr, Ho, Wo, ph, pw);
      return count;
    }
    // The selected blocks are in block order, so each range of maps owns a contiguous run of
    // them, and of the ascending support: zero each range's part of z, then scatter its run.
    const perMap = this.bg.blocks / this.bg.K;
    const sel = this.engine.i32(this.ptrSel, count);
    const runs = this.maps.map(([k0, k1]) => [k0, k1, firstAtOrAfter(sel, k0 * perMap), firstAtOrAfter(sel, k1 * perMap)] as const);
    if (zPtr !== 0) this.engine.parallel('project', 'zero', runs.map(([k0, k1]) => [zPtr + k0 * Ho * Wo * 4, (k1 - k0) * Ho * Wo * 4]));
    this.engine.parallel('project', 'f32_block_scatter_scalar', runs.map(([, , j0, j1]) => [
      this.ptrSel + j0 * 4, j1 - j0, this.ptrVal, this.ptrIdx, zPtr, 0, supportPtr + j0 * 4, valuesPtr === 0 ? 0 : valuesPtr + j0 * 4, Ho, Wo, ph, pw,
    ]));
    return count;
  }

  /**
   * The k blocks of largest magnitude, ties to the lowest index, into ptrSel in ascending order;
   * returns min(k, blocks). Magnitudes are non-negative floats, whose bit patterns order like
   * unsigned integers: a histogram of their top 12 bits finds the bucket of the k-th largest, a
   * radix select over that bucket's blocks (usually few) the exact value, and one pass takes
   * every block above it and the first ties. The passes over all blocks run by ranges of blocks
   * on the threads (the histograms' counts add up exactly, and each range lists its own blocks);
   * the rest runs here.
   */
  private topK(k: number): number {
    const { engine, ptrMag: mag, ptrSel: sel, ptrHist: hist } = this;
    const B = this.bg.blocks;
    if (k <= 0 || B === 0) return 0;
    const ranges = this.blockRanges;
    const starts = ranges.map(([a]) => a); // each range lists its blocks at the start of its part of sel
    const counts = hist + ranges.length * HISTOGRAM_BYTES; // one i32 per range, then the narrowing's two outputs
    const narrowed = counts + ranges.length * 4;
    let threshold = 0, lastTie = B - 1; // k >= B: every block
    if (k < B) {
      engine.parallel('project', 'u32_top_k_histogram_scalar', ranges.map(([a, b], r) => [mag, a, b, hist + r * HISTOGRAM_BYTES]));
      const h = engine.i32(hist, ranges.length * HISTOGRAM_BUCKETS);
      const inBucket = (bucket: number) => {
        let c = 0;
        for (let r = 0; r < ranges.length; r++) c += h[r * HISTOGRAM_BUCKETS + bucket]!;
        return c;
      };
      let need = k, bucket = HISTOGRAM_BUCKETS - 1;
      for (; bucket > 0; bucket--) {
        const c = inBucket(bucket);
        if (c >= need) break;
        need -= c;
      }
      // the bucket's blocks, each range's at the start of its own part of sel, then side by side
      const perRange = ranges.map((_, r) => h[r * HISTOGRAM_BUCKETS + bucket]!);
      engine.parallel('project', 'u32_top_k_candidates_scalar', ranges.map(([a, b]) => [mag, a, b, bucket, sel + a * 4]));
      const candidates = closeGaps(engine.k.copy, [sel], starts, perRange);
      engine.k.topKNarrow(mag, sel, candidates, need, hist, narrowed);
      const out = engine.i32(narrowed, 2);
      threshold = out[0]! >>> 0;
      lastTie = out[1]!;
    }
    engine.parallel('project', 'u32_top_k_select_scalar', ranges.map(([a, b], r) => [mag, a, b, threshold, lastTie, sel + a * 4, counts + r * 4]));
    return closeGaps(engine.k.copy, [sel], starts, Array.from(engine.i32(counts, ranges.length)));
  }

  dispose(): void {
    for (const p of this.ptrs) this.engine.heap.release(p);
    this.ptrs.length = 0;
  }
}

/** The public cs.project. */
export function project(engine: Engine, h: Float32Array, options: ProjectOptions): ProjectResult {
  const where = 'project';
  const o = checkOptions<ProjectOptions>(where, options, ['shape', 'pool', 'k', 'density', 'mode']);
  const bg = blockGeometry(where, requireOption(where, 'shape', o.shape), o.pool);
  const mode = o.mode === undefined ? 'abs' : oneOf(where, 'mode', o.mode, ['abs', 'relu'] as const);
  const k = resolveK(where, bg, o.k, o.density);
  float32Exact(where, 'h', h, bg.length);
  checkFinite(where, 'h', h);
  return withProjector(engine, bg, [bg.length * 4, bg.length * 4, Math.max(k, 1) * 4], (projector, [hPtr, zPtr, supPtr]) => {
    engine.f32(hPtr!, bg.length).set(h);
    const count = projector.project(hPtr!, k, mode === 'relu', zPtr!, supPtr!);
    return { z: engine.f32(zPtr!, bg.length).slice(), support: engine.i32(supPtr!, count).slice() };
  });
}

/**
 * A projector and scratch buffers in one all-or-nothing allocation (a call refused by the memory
 * cap leaves memory as it was), both given back after `fn`.
 */
function withProjector<T>(engine: Engine, bg: BlockGeometry, sizes: number[], fn: (projector: Projector, ptrs: number[]) => T): T {
  const [projector, ptrs] = engine.heap.atomically(() => [new Projector(engine, bg), engine.allocAll(sizes)] as const);
  try {
    return fn(projector, ptrs);
  } finally {
    for (const p of ptrs) engine.heap.release(p);
    projector.dispose();
  }
}

/** The public cs.maxPool: one value per block with its switch. */
export function maxPool(engine: Engine, h: Float32Array, options: PoolOptions): MaxPoolResult {
  const where = 'maxPool';
  const o = checkOptions<PoolOptions>(where, options, ['shape', 'pool', 'mode']);
  const bg = blockGeometry(where, requireOption(where, 'shape', o.shape), o.pool);
  const mode = o.mode === undefined ? 'abs' : oneOf(where, 'mode', o.mode, ['abs', 'relu'] as const);
  float32Exact(where, 'h', h, bg.length);
  checkFinite(where, 'h', h);
  return withProjector(engine, bg, [bg.length * 4], (projector, [hPtr]) => {
    engine.f32(hPtr!, bg.length).set(h);
    projector.blockMax(hPtr!, mode === 'relu');
    return {
      values: engine.f32(projector.ptrVal, bg.blocks).slice(),
      switches: engine.i32(projector.ptrIdx, bg.blocks).slice(),
      shape: Object.freeze(bg.dims === 1 ? [bg.K, bg.Bw] : [bg.K, bg.Bh, bg.Bw]),
    };
  });
}

/** The public cs.unpool: by switches, or naive (each value at its block's first element). */
export function unpool(engine: Engine, values: Float32Array, options: UnpoolOptions): Float32Array {
  const where = 'unpool';
  const o = checkOptions<UnpoolOptions>(where, options, ['shape', 'pool', 'switches']);
  const bg = blockGeometry(where, requireOption(where, 'shape', o.shape), o.pool);
  float32Exact(where, 'values', values, bg.blocks);
  checkFinite(where, 'values', values);
  const B = bg.blocks;
  if (o.switches !== undefined) {
    if (!(o.switches instanceof Int32Array)) throw typeError(where, "'switches'", 'an Int32Array', o.switches);
    if (o.switches.length !== B) throw rangeError(where, `'switches' must have length ${B} (one per block), got ${o.switches.length}`);
    // Each switch must lie inside its own block, or unpooling would not invert max pooling.
    for (let b = 0; b < B; b++) {
      const s = o.switches[b]!;
      const k = Math.floor(b / (bg.Bh * bg.Bw));
      const by = Math.floor((b % (bg.Bh * bg.Bw)) / bg.Bw);
      const bx = b % bg.Bw;
      const local = s - k * bg.Ho * bg.Wo;
      const y = Math.floor(local / bg.Wo);
      const x = local - y * bg.Wo;
      if (!Number.isInteger(s) || local < 0 || local >= bg.Ho * bg.Wo || Math.floor(y / bg.ph) !== by || Math.floor(x / bg.pw) !== bx) {
        throw rangeError(where, `switches[${b}] = ${s} is not inside block ${b}`);
      }
    }
  }
  return engine.withScratch([B * 4, B * 4, bg.length * 4], (valPtr, posPtr, outPtr) => {
    engine.f32(valPtr!, B).set(values);
    if (o.switches !== undefined) engine.i32(posPtr!, B).set(o.switches);
    else engine.k.blockFirst(bg.K, bg.Ho, bg.Wo, bg.ph, bg.pw, posPtr!);
    engine.k.unpool(valPtr!, posPtr!, B, outPtr!, bg.length);
    return engine.f32(outPtr!, bg.length).slice();
  });
}
