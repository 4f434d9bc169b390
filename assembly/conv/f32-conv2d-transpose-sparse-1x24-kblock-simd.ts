// Sparse transposed convolution as a sparse GEMM followed by the col2im scatter-add: for each
// group of 24 channel-last columns c = (ky*kw + kx)*M + m (f32_pack_conv2d_transpose_24_scalar), each
// block of 2^kbShift filters and each code pixel, the pixel's non-zero filters of the block
// (grouped by i32_sparse_code_{count,offsets,place}_scalar as (k * 96, v) pairs) are reduced into the
// 24 column sums in six f32x4 registers, and the sums are added into xc[Hp][Wp][M] once per
// block. The work is O(nnz * M * kh * kw) like scattering whole filters, but partial sums stay in
// registers instead of making a round trip through memory for every non-zero.
//
// Why 24 columns in one pass: V8 (11.3, x64) issues all of a pair's weight loads before its
// multiplies, so a pass needs 2n + 1 vector registers for n accumulators. Six (13 registers)
// fit in the 15 that V8 allocates; eight (32 columns in one pass) spill an accumulator, which
// puts a store and a reload on its dependency chain (measured 20-40% slower than two 16-column
// passes, and so was 16 columns with two accumulator sets). One pass of 24 reads the pair once
// per 6 multiply-adds instead of once per 4: in L1, 25% faster per column than two passes of 16.
//
// Why blocks of filters: a group's panel is K rows of 96 bytes, 48 KB at K = 512, more than L1
// (32 KB), and a pixel's non-zeros hit rows all over it. Blocks of 2^kbShift rows (the facade
// keeps a block within 24 KB) stay in L1 while every pixel passes over them; each block adds its
// sums into xc (3 vector load-add-stores per pixel). On 512->512 15x15 at 25%, 2 blocks of 256
// were 5-6% faster than none, and 4 of 128 or 8 of 64 no better than 2 (more, shorter passes).
// Smaller panels take GT groups per pixel instead, while the pixel's pairs are in L1 (64 filters:
// 4 groups, 5% faster than 1; no gain where one panel already fills the budget).
//
// Pixels whose receptive field, for every column of the group, lies in the padding that the
// crop discards are skipped: per group the visited pixels are the rectangle that reaches the
// H x W interior at (pt, pl) for at least one of the group's taps. Columns of a visited pixel
// that land in padding columns are still added there (the accumulator covers it); those that land
// in padding rows, or outside the call's band of rows [yBegin, yEnd), are not. Threads split the
// rows into bands: no two write the same element, and each element receives its sums in the
// order of one whole call, so the bits do not depend on the split.
import { scatter8 } from "../helpers/f32-conv2d-col2im-scatter";
import { madd4 } from "../helpers/f32x4-madd";
import { i32_transpose_visited_rect } from "../helpers/i32-transpose-visited-rect-scalar";
import { scratch, SCRATCH_RECTS } from "../helpers/instance-scratch";

/** Columns [0, 24) of one pixel's sums over pairs [start, end): w0 = the group's panel. */
// @ts-ignore: decorator
@inline
function pass24(w0: usize, kv: usize, start: i32, end: i32, d: usize, offs: usize, bandLo: usize, bandHi: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0), a4 = f32x4.splat(0), a5 = f32x4.splat(0);
  let pair = kv + (<usize>start << 3);
  const pend = kv + (<usize>end << 3);
  while (pair < pend) {
    const v = v128.load32_splat(pair, 4);
    const w = w0 + <usize>load<i32>(pair);
    a0 = madd4(a0, v, v128.load(w)); a1 = madd4(a1, v, v128.load(w, 16));
    a2 = madd4(a2, v, v128.load(w, 32)); a3 = madd4(a3, v, v128.load(w, 48));
    a4 = madd4(a4, v, v128.load(w, 64)); a5 = madd4(a5, v, v128.load(w, 80));
    pair += 8;
  }
  scatter8(d, offs, a0, a1, bandLo, bandHi);
  scatter8(d, offs + 32, a2, a3, bandLo, bandHi);
  scatter8(d, offs + 64, a4, a5, bandLo, bandHi);
}

/** The largest number of groups taken together (GT). */
export const SPARSE_1X24_MAX_GROUPS = 16;

/**
 * rowStart / kv: the code grouped into nKB * Ho * Wo buckets (block, pixel) as (k * 96, v)
 * pairs; packed: the 24-column panels, [groups][K][24]; colOff: the accumulator offsets of the
 * columns, -1 past L. GT (1 to 16) column groups are taken together: each pixel's pairs of a
 * block are reduced against GT panels in turn while they are in L1.
 */
export function f32_conv2d_transpose_sparse_1x24_kblock_simd(
  rowStart: usize, kv: usize, nKB: i32, GT: i32, Ho: i32, Wo: i32,
  packed: usize, K: i32, L: i32, colOff: usize,
  M: i32, kw: i32, sh: i32, sw: i32, Wp: i32,
  pt: i32, pl: i32, H: i32, W: i32, yBegin: i32, yEnd: i32,
  xc: usize,
): void {
  // This call's rows of the window the crop keeps: threads split them, each adding only there.
  const y0 = max(pt, yBegin), y1 = min(pt + H, yEnd);
  if (y0 >= y1) return;
  const bandLo = xc + (<usize>(y0 * Wp * M) << 2), bandHi = xc + (<usize>(y1 * Wp * M) << 2);
  const groups = (L + 23) / 24;
  const P = Ho * Wo;
  const dStep = <usize>(sw * M) << 2;
  GT = min(max(GT, 1), SPARSE_1X24_MAX_GROUPS);
  // Per group of the current tile: the visited code rectangle [oy0, oy1) x [ox0, ox1).
  const rects = scratch + SCRATCH_RECTS;
  for (let g0 = 0; g0 < groups; g0 += GT) {
    const n = min(GT, groups - g0);
    // Each group's rectangle of visited pixels, and their union.
    let uy0 = Ho, uy1 = 0, ux0 = Wo, ux1 = 0;
    for (let i = 0; i < n; i++) {
      const g = g0 + i;
      const r = rects + (<usize>i << 4);
      i32_transpose_visited_rect(g * 24, min(g * 24 + 24, L), M, kw, y0, pl, y1 - y0, W, sh, sw, Ho, Wo, r);
      const oyStart = load<i32>(r), oyEnd = load<i32>(r, 4), oxStart = load<i32>(r, 8), oxEnd = load<i32>(r, 12);
      if (oyStart < oyEnd && oxStart < oxEnd) {
        uy0 = min(uy0, oyStart); uy1 = max(uy1, oyEnd);
        ux0 = min(ux0, oxStart); ux1 = max(ux1, oxEnd);
      }
    }
    const base0 = packed + <usize>(g0 * K) * 96;
    const offs0 = colOff + (<usize>(g0 * 24) << 2);
    const panelStep = <usize>K * 96;
    for (let kb = 0; kb < nKB; kb++) {
      const rsBlock = rowStart + (<usize>(kb * P) << 2);
      for (let oy = uy0; oy < uy1; oy++) {
        let rs = rsBlock + (<usize>(oy * Wo + ux0) << 2);
        let d = xc + (<usize>((oy * sh * Wp + ux0 * sw) * M) << 2);
        for (let ox = ux0; ox < ux1; ox++) {
          const start = load<i32>(rs);
          const end = load<i32>(rs, 4);
          if (end != start) {
            let base = base0;
            let offs = offs0;
            for (let i = 0; i < n; i++) {
              const r = rects + (<usize>i << 4);
              if (oy >= load<i32>(r) && oy < load<i32>(r, 4) && ox >= load<i32>(r, 8) && ox < load<i32>(r, 12)) {
                pass24(base, kv, start, end, d, offs, bandLo, bandHi);
              }
              base += panelStep;
              offs += 96;
            }
          }
          rs += 4;
          d += dStep;
        }
      }
    }
  }
}
