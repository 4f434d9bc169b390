// The kernel configuration: which kernel of assembly/kernels.json each operation of the facade
// runs in this module, chosen once per instance (the SIMD kernel where the module has SIMD and
// the kernel gives the scalar reference's bits or an agreed tolerance, the scalar one
// otherwise). Choices that depend on a layer (direct, Winograd, pixel-vectorized, sparse tiles,
// density cut-overs, 2x2 block maxima) are made in src/conv/choose.ts, not here.

import type { ModuleExports, ScalarKernelExports, SimdKernelExports } from './generated/kernels.js';
import { chooseParts, chooseStreamParts, type StreamKind } from './conv/choose.js';
import { splitRange } from './threads/split.js';

/** The element-wise and reduction operations the algorithms call, bound to this module's kernels. */
export interface Kernels {
  copy(dst: number, src: number, bytes: number): void;
  zero(dst: number, bytes: number): void;
  /** x . y and sums of squares in f64 (SIMD: another order of summation, within rounding) */
  dot(x: number, y: number, n: number): number;
  sumsq(x: number, n: number): number;
  /** the scalar-order sum of squares, the same bits in every module (weight normalization) */
  sumsqExact(x: number, n: number): number;
  axpy(a: number, x: number, y: number, n: number): void;
  /** w = y + a x: a copy of y and an axpy in one pass, the same bits */
  waxpy(a: number, x: number, y: number, w: number, n: number): void;
  scal(a: number, x: number, n: number): void;
  distsq(a: number, b: number, n: number): number;
  sub(a: number, b: number, out: number, n: number): void;
  gather(z: number, support: number, count: number, out: number): void;
  scatterAdd(idx: number, val: number, n: number, dense: number): void;
  scatterZero(idx: number, n: number, dense: number): void;
  scatter(idx: number, val: number, n: number, dense: number): void;
  fistaUpdate(y: number, g: number, z: number, mask: number, n: number, step: number, thresh: number, beta: number): void;
  firstOutside(idx: number, n: number, limit: number): number;
  firstNonFinite(x: number, n: number): number;
  /** N(0, 1) draws (the same bits in every module) */
  randn(seedLo: number, seedHi: number, stream: number, start: number, count: number, out: number): void;
  randUniform(seedLo: number, seedHi: number, stream: number, start: number, count: number, lo: number, hi: number, out: number): void;
  draws64(seedLo: number, seedHi: number, stream: number, start: number, count: number, out: number): void;
  sampleModelSparse(seedLo: number, seedHi: number, stream: number, start: number, K: number, Ho: number, Wo: number,
    ph: number, pw: number, k: number, values: number, idxOut: number, valOut: number): number;
  topKNarrow(mag: number, cand: number, n: number, need: number, hist: number, out: number): void;
  blockScatter(sel: number, count: number, blockVal: number, blockIdx: number, z: number, n: number, support: number,
    values: number, Ho: number, Wo: number, ph: number, pw: number): void;
  unpool(pooled: number, pos: number, B: number, out: number, n: number): void;
  blockFirst(K: number, Ho: number, Wo: number, ph: number, pw: number, out: number): void;
  pad2dChw(x: number, xp: number, M: number, H: number, W: number, Hp: number, Wp: number, pt: number, pl: number): void;
  crop2dChw(xp: number, x: number, M: number, H: number, W: number, Hp: number, Wp: number, pt: number, pl: number): void;
}

export function chooseKernels(abi: ModuleExports & ScalarKernelExports, simd: SimdKernelExports | undefined): Kernels {
  return {
    copy: abi.copy,
    zero: abi.zero,
    dot: simd ? simd.f32_dot_simd : abi.f32_dot_scalar,
    sumsq: simd ? simd.f32_sumsq_simd : abi.f32_sumsq_scalar,
    sumsqExact: abi.f32_sumsq_scalar,
    // y += a x is w = y + a x with w = y: the same multiply and add per element
    axpy: simd ? (a, x, y, n) => simd.f32_waxpy_simd(a, x, y, y, n) : (a, x, y, n) => abi.f32_waxpy_scalar(a, x, y, y, n),
    waxpy: simd ? simd.f32_waxpy_simd : abi.f32_waxpy_scalar,
    scal: simd ? simd.f32_scal_simd : abi.f32_scal_scalar,
    distsq: abi.f32_distsq_scalar,
    sub: abi.f32_sub_scalar,
    gather: abi.f32_gather_scalar,
    scatterAdd: abi.f32_scatter_add_scalar,
    scatterZero: abi.f32_scatter_zero_scalar,
    scatter: abi.f32_scatter_scalar,
    fistaUpdate: abi.f32_fista_update_scalar,
    firstOutside: simd ? simd.i32_first_outside_simd : abi.i32_first_outside_scalar,
    firstNonFinite: simd ? simd.f32_first_nonfinite_simd : abi.f32_first_nonfinite_scalar,
    randn: simd ? simd.f32_randn_boxmuller_simd : abi.f32_randn_boxmuller_scalar,
    randUniform: abi.f32_rand_uniform_scalar,
    draws64: abi.u64_draws_scalar,
    sampleModelSparse: abi.i32_sample_model_sparse_scalar,
    topKNarrow: abi.u32_top_k_narrow_scalar,
    blockScatter: abi.f32_block_scatter_scalar,
    unpool: abi.f32_unpool_scalar,
    blockFirst: abi.i32_block_first_scalar,
    pad2dChw: abi.f32_pad2d_chw_scalar,
    crop2dChw: abi.f32_crop2d_chw_scalar,
  };
}

/** Runs one kernel (by name) once per argument list, spread over the threads. */
export type Parallel = (where: string, name: string, calls: ReadonlyArray<readonly number[]>) => void;

/**
 * With threads: the element-wise operations (copy, zero, axpy, waxpy, scal, sub, gather, scatter) on vectors long enough
 * (chooseStreamParts; chooseParts for gathers and scatters) run in ranges of whole f32x4 on the threads; every element is computed alike
 * wherever it runs, so the bits are those of one call. The reductions (dot, sums of squares,
 * distances) stay whole, on the calling thread, in their one order of summation.
 */
export function splitElementwise(k: Kernels, simd: boolean, lanes: number, parallel: Parallel): Kernels {
  // The ranges of whole f32x4 that n elements are cut into, or undefined when they stay one call:
  // by chooseStreamParts for the streaming operations, by chooseParts for gathers and scatters.
  const cut = (parts: number, n: number) => (parts === 1 ? undefined : splitRange(n, parts, 4));
  const stream = (kind: StreamKind, n: number) => cut(chooseStreamParts(lanes, kind, n), n);
  const scattered = (n: number) => cut(chooseParts(lanes, n), n);
  const waxpy = simd ? 'f32_waxpy_simd' : 'f32_waxpy_scalar';
  const scal = simd ? 'f32_scal_simd' : 'f32_scal_scalar';
  return {
    ...k,
    copy(dst, src, bytes) {
      // a move between overlapping ranges is one memmove, in its own order
      const r = bytes % 4 === 0 && Math.abs(dst - src) >= bytes ? stream('copy', bytes >> 2) : undefined;
      if (!r) return k.copy(dst, src, bytes);
      parallel('copy', 'copy', r.map(([a, b]) => [dst + 4 * a, src + 4 * a, 4 * (b - a)]));
    },
    zero(dst, bytes) {
      const r = bytes % 4 === 0 ? stream('zero', bytes >> 2) : undefined;
      if (!r) return k.zero(dst, bytes);
      parallel('zero', 'zero', r.map(([a, b]) => [dst + 4 * a, 4 * (b - a)]));
    },
    axpy(a, x, y, n) {
      const r = stream('arithmetic', n);
      if (!r) return k.axpy(a, x, y, n);
      parallel('axpy', waxpy, r.map(([i, j]) => [a, x + 4 * i, y + 4 * i, y + 4 * i, j - i]));
    },
    waxpy(a, x, y, w, n) {
      const r = stream('arithmetic', n);
      if (!r) return k.waxpy(a, x, y, w, n);
      parallel('waxpy', waxpy, r.map(([i, j]) => [a, x + 4 * i, y + 4 * i, w + 4 * i, j - i]));
    },
    scal(a, x, n) {
      const r = stream('arithmetic', n);
      if (!r) return k.scal(a, x, n);
      parallel('scal', scal, r.map(([i, j]) => [a, x + 4 * i, j - i]));
    },
    sub(a, b, out, n) {
      const r = stream('arithmetic', n);
      if (!r) return k.sub(a, b, out, n);
      parallel('sub', 'f32_sub_scalar', r.map(([i, j]) => [a + 4 * i, b + 4 * i, out + 4 * i, j - i]));
    },
    gather(z, support, count, out) {
      const r = scattered(count);
      if (!r) return k.gather(z, support, count, out);
      parallel('gather', 'f32_gather_scalar', r.map(([i, j]) => [z, support + 4 * i, j - i, out + 4 * i]));
    },
    // the positions of one support are distinct: each element is written once, wherever
    scatter(idx, val, n, dense) {
      const r = scattered(n);
      if (!r) return k.scatter(idx, val, n, dense);
      parallel('scatter', 'f32_scatter_scalar', r.map(([i, j]) => [idx + 4 * i, val + 4 * i, j - i, dense]));
    },
    scatterZero(idx, n, dense) {
      const r = scattered(n);
      if (!r) return k.scatterZero(idx, n, dense);
      parallel('scatter', 'f32_scatter_zero_scalar', r.map(([i, j]) => [idx + 4 * i, j - i, dense]));
    },
  };
}
