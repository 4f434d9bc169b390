// Sparse transposed 3x3 convolution onto at most 4 input channels (a photograph's 3): each
// non-zero z[k][oy][ox] = v adds v * w[k] into a 4-channel-last padded accumulator xc[Hp][Wp][4].
// A pixel is one f32x4 there, so a filter row is 3 aligned vectors, and filter k's 9 vectors
// (f32_pack_conv2d_transpose_c4_scalar, channels past M zero) stay in L1 while the code's
// non-zeros of filter k stream by: per non-zero 9 multiply-adds and 9 stores, and no regrouping of
// the code. (Holding the 9 vectors in registers made the engine spill others around each patch.)
//
// Each output float receives its contributions in the order of the non-zeros, as in
// f32_conv2d_transpose_sparse_scalar, so the two give the same bits. Pixels are found without a
// division while the indices stay in one code row (a support, sorted, moves on row by row); any
// other order costs two. Only accumulator rows [yBegin, yEnd) are written: with `band` set (one
// thread's share of several), an ascending code is first cut to the non-zeros that reach them.
import { madd4 } from "../helpers/f32x4-madd";

export function f32_conv2d_transpose_sparse_3x3c4_simd(
  idx: usize, val: usize, nnz: i32, K: i32, Ho: i32, Wo: i32,
  w4: usize, sh: i32, sw: i32, Wp: i32, yBegin: i32, yEnd: i32, band: i32,
  xc: usize,
): void {
  if (band != 0 && ascending(idx, nnz)) {
    // one thread's band of rows: of each filter's non-zeros, those whose patch (rows oy*sh to
    // oy*sh + 2) meets it, found by binary search instead of a pass over them all
    const P = Ho * Wo;
    const oyLo = yBegin <= 2 ? 0 : (yBegin - 2 + sh - 1) / sh;
    const oyHi = min(Ho, (yEnd - 1) / sh + 1);
    if (oyLo >= oyHi) return;
    let i0 = 0;
    for (let k = 0; k < K; k++) {
      i0 = lowerBound(idx, i0, nnz, k * P + oyLo * Wo);
      const i1 = lowerBound(idx, i0, nnz, k * P + oyHi * Wo);
      sweep(idx, val, i0, i1, Ho, Wo, w4, sh, sw, Wp, yBegin, yEnd, xc);
      i0 = i1;
    }
    return;
  }
  sweep(idx, val, 0, nnz, Ho, Wo, w4, sh, sw, Wp, yBegin, yEnd, xc);
}

// @ts-ignore: decorator
@inline
function ascending(idx: usize, nnz: i32): bool {
  let i = 1;
  // four neighbouring pairs per step: idx[i..i+4) against idx[i-1..i+3)
  for (; i + 4 <= nnz; i += 4) {
    const p = idx + (<usize>i << 2);
    if (v128.any_true(i32x4.lt_s(v128.load(p), v128.load(p - 4)))) return false;
  }
  for (; i < nnz; i++) {
    if (load<i32>(idx + (<usize>i << 2)) < load<i32>(idx + (<usize>(i - 1) << 2))) return false;
  }
  return true;
}

/** The first i in [lo, hi) with idx[i] >= key (hi if none); idx ascending. */
// @ts-ignore: decorator
@inline
function lowerBound(idx: usize, lo: i32, hi: i32, key: i32): i32 {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<i32>(idx + (<usize>mid << 2)) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Non-zeros [i0, i1) in their order, into accumulator rows [yBegin, yEnd) only. */
function sweep(
  idx: usize, val: usize, i0: i32, i1: i32, Ho: i32, Wo: i32,
  w4: usize, sh: i32, sw: i32, Wp: i32, yBegin: i32, yEnd: i32, xc: usize,
): void {
  const P = Ho * Wo;
  const rowBytes = <usize>Wp << 4;
  const colBytes = <usize>sw << 4;
  let rowBase = i32.MIN_VALUE; // flat index of (k, oy, 0); MIN_VALUE: no row yet
  let y = 0; // accumulator row of the patch's top row, oy * sh
  let row: usize = 0; // its address
  let w: usize = 0; // filter k's 9 taps
  for (let i = i0; i < i1; i++) {
    const flat = load<i32>(idx + (<usize>i << 2));
    const v = load<f32>(val + (<usize>i << 2));
    if (v == 0) continue;
    let ox = flat - rowBase;
    if (<u32>ox >= <u32>Wo) {
      const k = <i32>(<u32>flat / <u32>P);
      const p = flat - k * P;
      const oy = <i32>(<u32>p / <u32>Wo);
      ox = p - oy * Wo;
      rowBase = flat - ox;
      y = oy * sh;
      row = xc + <usize>y * rowBytes;
      w = w4 + <usize>k * 144;
    }
    const vv = f32x4.splat(v);
    const d = row + <usize>ox * colBytes;
    if (y >= yBegin && y + 3 <= yEnd) {
      tapRow(d, vv, w);
      tapRow(d + rowBytes, vv, w + 48);
      tapRow(d + 2 * rowBytes, vv, w + 96);
      continue;
    }
    // a patch cut by the band: its rows inside [yBegin, yEnd) only
    if (y >= yBegin && y < yEnd) tapRow(d, vv, w);
    if (y + 1 >= yBegin && y + 1 < yEnd) tapRow(d + rowBytes, vv, w + 48);
    if (y + 2 >= yBegin && y + 2 < yEnd) tapRow(d + 2 * rowBytes, vv, w + 96);
  }
}

/** One filter row: three pixels of 4 channels, d[j] += v * w[j]. */
// @ts-ignore: decorator
@inline
function tapRow(d: usize, vv: v128, w: usize): void {
  v128.store(d, madd4(v128.load(d), vv, v128.load(w)));
  v128.store(d, madd4(v128.load(d, 16), vv, v128.load(w, 16)), 16);
  v128.store(d, madd4(v128.load(d, 32), vv, v128.load(w, 32)), 32);
}
