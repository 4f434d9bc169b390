// The exported ABI: plain functions of (pointer, size...) over linear memory, nothing else.
// One source builds three modules. With SIMD enabled (asc --enable simd) each entry point runs the
// f32x4 micro-kernel; without it, the scalar reference; with relaxed-simd as well, the micro-kernels
// multiply-add with f32x4.relaxed_madd. ASC_FEATURE_SIMD is a compile-time
// constant, so the branch not taken is never compiled and the scalar module holds no v128 code.
// The scalar references are exported from both modules under their own names, so tests can
// hold each SIMD kernel against its reference inside one instance.

import { f32_pad2d_chw, f32_crop2d_chw, f32_crop2d_hwc_to_chw } from "./conv/f32-conv2d-pad-scalar";
import { f32_conv2d_scalar } from "./conv/f32-conv2d-scalar";
import { f32_conv2d_transpose_scalar, f32_conv2d_transpose_sparse_scalar } from "./conv/f32-conv2d-transpose-scalar";
import { f32_pack_conv2d_8, f32_pack_conv2d_hwc, f32_pack_conv2d_transpose_8, f32_pack_conv2d_transpose_24, f32_pack_conv2d_transpose_32, f32_conv2d_transpose_offsets } from "./conv/f32-conv2d-pack-8";
import { f32_conv2d_4x8_simd, f32_conv2d_tap_offsets } from "./conv/f32-conv2d-4x8-simd";
import { f32_crop2d_hwc_to_chw_4x4_simd } from "./conv/f32-crop2d-hwc-to-chw-4x4-simd";
import { f32_conv2d_s1_3x8_simd } from "./conv/f32-conv2d-s1-3x8-simd";
import { f32_pack_conv2d_3 } from "./conv/f32-conv2d-pack-3";
import { f32_conv2d_transpose_4x8_simd } from "./conv/f32-conv2d-transpose-4x8-simd";
import { f32_conv2d_transpose_sparse_1x32_simd } from "./conv/f32-conv2d-transpose-sparse-1x32-simd";
import { f32_conv2d_transpose_sparse_1x24_kblock_simd } from "./conv/f32-conv2d-transpose-sparse-1x24-kblock-simd";
import { f32_conv2d_transpose_sparse_axpy16_simd } from "./conv/f32-conv2d-transpose-sparse-axpy16-simd";
import { f32_winograd_2x2_3x3_filter_transform } from "./conv/f32-winograd-2x2-3x3-filter-transform-scalar";
import { f32_winograd_2x2_3x3_input_transform_scalar } from "./conv/f32-winograd-2x2-3x3-input-transform-scalar";
import { f32_winograd_2x2_3x3_input_transform_4x_simd } from "./conv/f32-winograd-2x2-3x3-input-transform-4x-simd";
import { f32_winograd_gemm_scalar } from "./conv/f32-winograd-gemm-scalar";
import { f32_winograd_gemm_4x8_simd } from "./conv/f32-winograd-gemm-4x8-simd";
import { f32_winograd_2x2_3x3_output_transform_scalar } from "./conv/f32-winograd-2x2-3x3-output-transform-scalar";
import { f32_winograd_2x2_3x3_output_transform_4x_simd } from "./conv/f32-winograd-2x2-3x3-output-transform-4x-simd";
import { i32_sparse_code_by_kblock_pixel_scalar } from "./conv/i32-sparse-code-by-kblock-pixel-scalar";
import { f32_block_max_scalar } from "./project/f32-block-max-scalar";
import { f32_block_max_2x2_4x_simd } from "./project/f32-block-max-2x2-4x-simd";
import { u32_top_k_radix_scalar } from "./project/u32-top-k-radix-scalar";
import { f32_block_scatter_scalar, f32_gather_scalar, f32_unpool_scalar, i32_block_first_scalar } from "./project/f32-block-scatter-scalar";
import { u64_draws } from "./random/u64-counter-rng";
import { f32_randn_scalar, f32_rand_uniform_scalar } from "./random/f32-randn-boxmuller-scalar";
import { f32_randn_simd } from "./random/f32-randn-boxmuller-simd";
import { f32_dot_scalar, f32_sumsq_scalar, f32_axpy_scalar, f32_scal_scalar } from "./blas/f32-blas1-scalar";
import { i32_sample_model_sparse_scalar } from "./random/model-sparse-sampler-scalar";
import { f32_fista_update_scalar, f32_scatter_add_scalar, f32_scatter_zero_scalar, f32_distsq_scalar, f32_sub_scalar } from "./blas/f32-sparse-ops-scalar";
import { i32_first_outside_scalar, f32_first_nonfinite_scalar } from "./blas/x32-first-invalid-scalar";
import { i32_first_outside_simd, f32_first_nonfinite_simd } from "./blas/x32-first-invalid-simd";
import { f32_dot_simd, f32_sumsq_simd, f32_axpy_simd, f32_scal_simd } from "./blas/f32-blas1-simd";

/** 0 in the scalar module, 1 in the SIMD one, 2 in the relaxed-SIMD one. */
export function simd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 2 : ASC_FEATURE_SIMD ? 1 : 0;
}

/** First free byte after the module's static data: the facade's allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}

// ---- layout helpers (same code in both modules) ----
export { f32_pad2d_chw as pad2dChw, f32_crop2d_chw as crop2dChw, f32_crop2d_hwc_to_chw as crop2dHwcToChwScalar };

/** Crop a channel-last accumulator into the channel-first result: 4x4 SIMD transposes in the
 * SIMD module, the scalar copy otherwise (the same bits: a pure copy). */
export function crop2dHwcToChw(xc: usize, x: usize, M: i32, H: i32, W: i32, Wp: i32, padTop: i32, padLeft: i32): void {
  if (ASC_FEATURE_SIMD) f32_crop2d_hwc_to_chw_4x4_simd(xc, x, M, H, W, Wp, padTop, padLeft);
  else f32_crop2d_hwc_to_chw(xc, x, M, H, W, Wp, padTop, padLeft);
}
export { f32_pack_conv2d_8 as packConv2d8, f32_pack_conv2d_hwc as packConv2dHwc, f32_conv2d_tap_offsets as conv2dTapOffsets };
export { f32_winograd_2x2_3x3_filter_transform as winogradFilterTransform };
export { f32_pack_conv2d_3 as packConv2d3 };
export { f32_pack_conv2d_transpose_8 as packConv2dTranspose8, f32_pack_conv2d_transpose_24 as packConv2dTranspose24, f32_pack_conv2d_transpose_32 as packConv2dTranspose32, f32_conv2d_transpose_offsets as conv2dTransposeOffsets };

// ---- scalar references, exported from both modules ----
export { f32_conv2d_scalar as conv2dScalar };
export { f32_conv2d_transpose_scalar as conv2dTransposeScalar };
export { f32_conv2d_transpose_sparse_scalar as conv2dTransposeSparseScalar };
export { f32_winograd_2x2_3x3_input_transform_scalar as winogradInputTransformScalar, f32_winograd_gemm_scalar as winogradGemmScalar };
export { f32_winograd_2x2_3x3_output_transform_scalar as winogradOutputTransformScalar };
export { f32_dot_scalar as dotScalar, f32_sumsq_scalar as sumsqScalar };
export { i32_first_outside_scalar as firstOutsideScalar, f32_first_nonfinite_scalar as firstNonFiniteScalar };

// ---- projection and sampling (scalar in both modules) ----
export { f32_block_max_scalar as blockMaxScalar, u32_top_k_radix_scalar as topKRadix };
export { f32_block_scatter_scalar as blockScatter, f32_gather_scalar as gather };
export { f32_unpool_scalar as unpool, i32_block_first_scalar as blockFirst };
export { u64_draws as draws64, f32_randn_scalar as randnScalar, f32_rand_uniform_scalar as randUniform };
export { i32_sample_model_sparse_scalar as sampleModelSparse };

// ---- solver steps (scalar in both modules) ----
export { f32_fista_update_scalar as fistaUpdate, f32_scatter_add_scalar as scatterAdd, f32_scatter_zero_scalar as scatterZero };
export { f32_distsq_scalar as distsq, f32_sub_scalar as sub };

/**
 * Block maxima of h[K][Ho][Wo] (step one of M(h, k)). SIMD module with 2x2 pooling: four blocks
 * per f32x4, branch-free; otherwise (and in the scalar module) the scalar reference. Both give
 * the same winners bit for bit.
 */
export function blockMax(
  h: usize, K: i32, Ho: i32, Wo: i32, ph: i32, pw: i32, relu: i32,
  blockVal: usize, blockMag: usize, blockIdx: usize,
): void {
  if (ASC_FEATURE_SIMD && ph == 2 && pw == 2) f32_block_max_2x2_4x_simd(h, K, Ho, Wo, relu, blockVal, blockMag, blockIdx);
  else f32_block_max_scalar(h, K, Ho, Wo, ph, pw, relu, blockVal, blockMag, blockIdx);
}

/** memmove within linear memory. */
export function copy(dst: usize, src: usize, bytes: usize): void {
  memory.copy(dst, src, bytes);
}

/** memset to zero within linear memory (cheaper than a fresh JavaScript view per call). */
export function zero(dst: usize, bytes: usize): void {
  memory.fill(dst, 0, bytes);
}

// ---- entry points: SIMD micro-kernel where the module has SIMD, else the reference ----

/**
 * Forward convolution of one padded input. `w` is the packed panel buffer in the SIMD module
 * (packConv2d8) and the plain [K][M][kh][kw] weights in the scalar one; `tapOff` is the
 * conv2dTapOffsets table (SIMD module only).
 */
export function conv2d(
  xp: usize, Hp: i32, Wp: i32, M: i32,
  w: usize, K: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Ho: i32, Wo: i32, out: usize, tapOff: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    f32_conv2d_4x8_simd(xp, Wp, tapOff, M * kh * kw, w, K, sh, sw, Ho, Wo, out);
  } else {
    f32_conv2d_scalar(xp, Hp, Wp, M, w, K, kh, kw, sh, sw, Ho, Wo, out);
  }
}

/**
 * Stride-1 convolution vectorized over output pixels, for a few output channels (SIMD module
 * only): xp the padded channel-first input, tapOff its tap offsets, w the packConv2d3 weights.
 */
export function conv2dS1Pixels(
  xp: usize, Wp: i32, tapOff: usize, taps: i32, w: usize, O: i32, Ho: i32, Wo: i32, out: usize,
): void {
  if (ASC_FEATURE_SIMD) f32_conv2d_s1_3x8_simd(xp, Wp, tapOff, taps, w, O, Ho, Wo, out);
  else unreachable();
}

/**
 * Winograd F(2x2, 3x3) convolution (stride 1) of a zero-padded channel-first input P[I][Hq][Wq]
 * into out[O][Ho][Wo], TY x TX tiles of 2x2 outputs (Hq >= 2 TY + 2, Wq >= 2 TX + 2), Tb tiles
 * (a multiple of 8) at a time: input transform into V[16][I][Tb], 16 GEMMs against the
 * transformed filters U[16][Op/4][I][4] (winogradFilterTransform) into Om[16][Op][Tb], output
 * transform. Blocks of tiles bound the scratch and keep it in cache. Both modules run the same
 * f32 operations in the same order (SIMD four or eight tiles at a time), so their bits agree.
 */
export function conv2dWinograd3x3(
  P: usize, I: i32, Hq: i32, Wq: i32, TY: i32, TX: i32, Tb: i32,
  U: usize, O: i32, Op: i32, V: usize, Om: usize, Ho: i32, Wo: i32, out: usize,
): void {
  const T = TY * TX;
  for (let t0 = 0; t0 < T; t0 += Tb) {
    const n = min(Tb, T - t0);
    const Tn = (n + 7) & ~7;
    if (ASC_FEATURE_SIMD) {
      f32_winograd_2x2_3x3_input_transform_4x_simd(P, I, Hq, Wq, TX, t0, n, Tb, V);
      f32_winograd_gemm_4x8_simd(U, V, Om, I, Op, Tb, Tn);
      f32_winograd_2x2_3x3_output_transform_4x_simd(Om, O, Op, Tb, TX, t0, n, Ho, Wo, out);
    } else {
      f32_winograd_2x2_3x3_input_transform_scalar(P, I, Hq, Wq, TX, t0, n, Tb, V);
      f32_winograd_gemm_scalar(U, V, Om, I, Op, Tb, Tn);
      f32_winograd_2x2_3x3_output_transform_scalar(Om, O, Op, Tb, TX, t0, n, Ho, Wo, out);
    }
  }
}

/**
 * Dense transposed convolution of one code z[K][Ho][Wo] into the zeroed accumulator `acc`.
 * SIMD: acc is channel-last [Hp][Wp][M], w the transposed panels, colOff their offsets.
 * Scalar: acc is channel-first [M][Hp][Wp], w the plain weights, colOff unused.
 */
export function conv2dTranspose(
  z: usize, K: i32, Ho: i32, Wo: i32,
  w: usize, colOff: usize, M: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Hp: i32, Wp: i32, acc: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    f32_conv2d_transpose_4x8_simd(z, K, Ho, Wo, w, M * kh * kw, colOff, M, sh, sw, Wp, acc);
  } else {
    f32_conv2d_transpose_scalar(z, K, Ho, Wo, w, M, kh, kw, sh, sw, Hp, Wp, acc);
  }
}

/**
 * Sparse transposed convolution of `nnz` (index, value) pairs into the zeroed accumulator.
 * SIMD, acc channel-last: below 5% density each pair adds its whole filter from the channel-last
 *   filters wcl (axpy16); from 5% on, conv2dTransposeSparseGrouped.
 * Scalar: acc channel-first, w the plain weights, each pair scattered in turn; the rest unused.
 */
export function conv2dTransposeSparse(
  idx: usize, val: usize, nnz: i32, Ho: i32, Wo: i32,
  w: usize, colOff: usize, K: i32, M: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Hp: i32, Wp: i32, acc: usize,
  wcl: usize, rowStart: usize, grouped: usize,
  pt: i32, pl: i32, H: i32, W: i32, tile: i32, kbShift: i32, groupTile: i32,
): void {
  if (ASC_FEATURE_SIMD) {
    if (<i64>nnz * 20 < <i64>K * <i64>(Ho * Wo)) {
      f32_conv2d_transpose_sparse_axpy16_simd(idx, val, nnz, Ho, Wo, wcl, M, kh, kw, sh, sw, Wp, acc);
    } else {
      conv2dTransposeSparseGrouped(idx, val, nnz, Ho, Wo, w, colOff, K, M, kh, kw, sh, sw, Wp, acc,
        rowStart, grouped, pt, pl, H, W, tile, kbShift, groupTile);
    }
  } else {
    f32_conv2d_transpose_sparse_scalar(idx, val, nnz, Ho, Wo, w, M, kh, kw, sh, sw, Hp, Wp, acc);
  }
}

/**
 * SIMD module (a no-op in the scalar one): the sparse transposed GEMM at any density. The pairs
 * are regrouped by block of 2^kbShift filters and code pixel into (rowStart, grouped), scratch
 * the caller provides ((((K - 1) >> kbShift) + 1) * Ho * Wo + 1 ints, and nnz (k * 4 * tile, v)
 * pairs of 8 bytes), and reduced against the `tile`-column transposed panels w (24: packed by
 * packConv2dTranspose24, groupTile column groups per pixel; 32: packConv2dTranspose32) with
 * column offsets colOff (conv2dTransposeOffsets, covering the last group), keeping partial sums
 * in registers; pixels that only reach the padding (the crop of the H x W interior at (pt, pl)
 * drops it) are skipped. acc is channel-last [Hp][Wp][M].
 */
export function conv2dTransposeSparseGrouped(
  idx: usize, val: usize, nnz: i32, Ho: i32, Wo: i32,
  w: usize, colOff: usize, K: i32, M: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, Wp: i32, acc: usize, rowStart: usize, grouped: usize,
  pt: i32, pl: i32, H: i32, W: i32, tile: i32, kbShift: i32, groupTile: i32,
): void {
  if (ASC_FEATURE_SIMD) {
    const nKB = ((K - 1) >> kbShift) + 1;
    i32_sparse_code_by_kblock_pixel_scalar(idx, val, nnz, Ho * Wo, nKB * Ho * Wo, kbShift, tile << 2, rowStart, grouped);
    if (tile == 24) {
      f32_conv2d_transpose_sparse_1x24_kblock_simd(rowStart, grouped, nKB, groupTile, Ho, Wo, w, K, M * kh * kw, colOff, M, kw, sh, sw, Wp, pt, pl, H, W, acc);
    } else {
      f32_conv2d_transpose_sparse_1x32_simd(rowStart, grouped, nKB, Ho, Wo, w, K, M * kh * kw, colOff, M, kw, sh, sw, Wp, pt, pl, H, W, acc);
    }
  }
}

/** N(0, 1) draws start..start+count-1 of a stream (identical bits in both modules). */
export function randn(seedLo: u32, seedHi: u32, stream: u32, start: f64, count: i32, out: usize): void {
  if (ASC_FEATURE_SIMD) f32_randn_simd(seedLo, seedHi, stream, start, count, out);
  else f32_randn_scalar(seedLo, seedHi, stream, start, count, out);
}

export function dot(x: usize, y: usize, n: i32): f64 {
  return ASC_FEATURE_SIMD ? f32_dot_simd(x, y, n) : f32_dot_scalar(x, y, n);
}

export function sumsq(x: usize, n: i32): f64 {
  return ASC_FEATURE_SIMD ? f32_sumsq_simd(x, n) : f32_sumsq_scalar(x, n);
}

export function axpy(a: f32, x: usize, y: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) f32_axpy_simd(a, x, y, n); else f32_axpy_scalar(a, x, y, n);
}

export function scal(a: f32, x: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) f32_scal_simd(a, x, n); else f32_scal_scalar(a, x, n);
}

/** The first of n indices outside [0, limit), or -1 (input checks of a sparse code). */
export function firstOutside(idx: usize, n: i32, limit: i32): i32 {
  return ASC_FEATURE_SIMD ? i32_first_outside_simd(idx, n, limit) : i32_first_outside_scalar(idx, n, limit);
}

/** The first of n floats that is NaN or infinite, or -1. */
export function firstNonFinite(x: usize, n: i32): i32 {
  return ASC_FEATURE_SIMD ? f32_first_nonfinite_simd(x, n) : f32_first_nonfinite_scalar(x, n);
}
