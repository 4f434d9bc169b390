// Sparse transposed convolution as a sparse GEMM followed by the col2im scatter-add: for each
// group of 32 channel-last columns c = (ky*kw + kx)*M + m (f32_pack_conv2d_transpose_32_scalar) and each
// code pixel, the pixel's non-zero filters (grouped by i32_sparse_code_{count,offsets,place}_scalar
// as (k * 128, v) pairs, per block of filters) are reduced into the 32 column sums, and the sums
// are added into xc[Hp][Wp][M] once per block. The work is O(nnz * M * kh * kw) like scattering whole filters, but partial sums stay in
// registers instead of making a round trip through memory for every non-zero, and the group's
// weights (K x 32 floats) stay in cache while the pixels stream by.
//
// The 1x32 tile is reduced in two passes of 16 columns over the pixel's pairs (four f32x4
// accumulators each) rather than one pass with eight: measured on V8 11.3 (x64), eight live
// accumulators in this loop ran at 16-18 GFLOP/s and two passes of four at 23-27 (the pairs are
// in L1 for the second pass, and the second half of each 128-byte weight row is the next line).
// f32_conv2d_transpose_sparse_1x24_kblock_simd (one pass of six) is faster per column; this tile
// remains for rows of at most 32 columns that 24 would split in two (M = 3, 3x3: 27 columns).
//
// Pixels whose receptive field, for every column of the group, lies in the padding that the
// crop discards are skipped: per group the visited pixels are the rectangle that reaches the
// H x W interior at (pt, pl) for at least one of the group's taps (4-9% of the work on 3x3
// "same" layers of 28x28 and 15x15). Columns of a visited pixel that land in the padding are
// still added there (the accumulator covers it), so the result is unchanged.
import { scatter8 } from "../helpers/f32-conv2d-col2im-scatter";
import { madd4 } from "../helpers/f32x4-madd";
import { i32_transpose_visited_rect } from "../helpers/i32-transpose-visited-rect-scalar";
import { scratch, SCRATCH_RECTS } from "../helpers/instance-scratch";

/** Columns [16h, 16h + 16) of one pixel: w = the group's panel + 64h bytes, offs its offsets. */
// @ts-ignore: decorator
@inline
function pass16(w0: usize, kv: usize, start: i32, end: i32, d: usize, offs: usize, bandLo: usize, bandHi: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let j = start; j < end; j++) {
    const pair = kv + (<usize>j << 3);
    const v = v128.load32_splat(pair, 4);
    const w = w0 + <usize>load<i32>(pair);
    a0 = madd4(a0, v, v128.load(w)); a1 = madd4(a1, v, v128.load(w, 16));
    a2 = madd4(a2, v, v128.load(w, 32)); a3 = madd4(a3, v, v128.load(w, 48));
  }
  scatter8(d, offs, a0, a1, bandLo, bandHi);
  scatter8(d, offs + 32, a2, a3, bandLo, bandHi);
}

/**
 * rowStart / kv: the code grouped into nKB * Ho * Wo buckets (block, pixel) as (k * 128, v)
 * pairs; packed: the 32-column panels, [groups][K][32]; colOff: the columns' accumulator offsets.
 */

export function f32_conv2d_transpose_sparse_1x32_simd(
  rowStart: usize, kv: usize, nKB: i32, Ho: i32, Wo: i32,
  packed: usize, K: i32, L: i32, colOff: usize,
  M: i32, kw: i32, sh: i32, sw: i32, Wp: i32,
  pt: i32, pl: i32, H: i32, W: i32, yBegin: i32, yEnd: i32,
  xc: usize,
): void {
  // rows [yBegin, yEnd) of the kept window only, as f32_conv2d_transpose_sparse_1x24_kblock_simd
  const y0 = max(pt, yBegin), y1 = min(pt + H, yEnd);
  if (y0 >= y1) return;
  const bandLo = xc + (<usize>(y0 * Wp * M) << 2), bandHi = xc + (<usize>(y1 * Wp * M) << 2);
  const rect = scratch + SCRATCH_RECTS; // the current column group's visited code rectangle
  const groups = (L + 31) >> 5;
  const P = Ho * Wo;
  const dStep = <usize>(sw * M) << 2;
  for (let g = 0; g < groups; g++) {
    const base = packed + (<usize>(g * K) << 7);
    const offs = colOff + (<usize>(g * 32) << 2);
    i32_transpose_visited_rect(g * 32, min(g * 32 + 32, L), M, kw, y0, pl, y1 - y0, W, sh, sw, Ho, Wo, rect);
    const oyStart = load<i32>(rect), oyEnd = load<i32>(rect, 4), oxStart = load<i32>(rect, 8), oxEnd = load<i32>(rect, 12);
    if (oyStart >= oyEnd || oxStart >= oxEnd) continue;
    for (let kb = 0; kb < nKB; kb++) {
      const rsBlock = rowStart + (<usize>(kb * P) << 2);
      for (let oy = oyStart; oy < oyEnd; oy++) {
        let rs = rsBlock + (<usize>(oy * Wo + oxStart) << 2);
        let d = xc + (<usize>((oy * sh * Wp + oxStart * sw) * M) << 2);
        for (let ox = oxStart; ox < oxEnd; ox++) {
          const start = load<i32>(rs);
          const end = load<i32>(rs, 4);
          if (end != start) {
            pass16(base, kv, start, end, d, offs, bandLo, bandHi);
            pass16(base + 64, kv, start, end, d, offs + 64, bandLo, bandHi);
          }
          rs += 4;
          d += dStep;
        }
      }
    }
  }
}
