// Sparse transposed convolution as a sparse GEMM followed by the col2im scatter-add: for each
// group of 32 channel-last columns c = (ky*kw + kx)*M + m (f32_pack_conv2d_transpose_32) and each
// code pixel, the pixel's non-zero filters (grouped by i32_sparse_code_by_pixel_scalar) are
// reduced in eight f32x4 accumulators, and the sums are added into xc[Hp][Wp][M] once. The work
// is O(nnz * M * kh * kw) like scattering whole filters, but partial sums stay in registers
// instead of making a round trip through memory for every non-zero, one filter index and one
// broadcast value feed 64 flops, and the group's weights (K x 32 floats) stay in cache while the
// pixels stream by.

import { madd4 } from "./f32x4-madd";
import { pixelOffsetHwc, scatterColumns } from "./f32-conv2d-col2im-scatter";

const tile = memory.data(32 * 4, 16);

/** Add one 8-column sub-block: a vector add pair when its columns are consecutive floats. */
// @ts-ignore: decorator
@inline
function scatter8(d: usize, offs: usize, lo: v128, hi: v128): void {
  const o0 = load<i32>(offs);
  const o7 = load<i32>(offs, 28);
  if (o7 >= 0 && o7 - o0 == 7) { // see f32_conv2d_transpose_4x8_simd
    const dd = d + (<usize>o0 << 2);
    v128.store(dd, f32x4.add(v128.load(dd), lo));
    v128.store(dd, f32x4.add(v128.load(dd, 16), hi), 16);
  } else if (o0 >= 0) {
    v128.store(tile, lo);
    v128.store(tile, hi, 16);
    scatterColumns(d, offs, tile);
  }
}

export function f32_conv2d_transpose_sparse_1x32_simd(
  rowStart: usize, kIdx: usize, vals: usize, Ho: i32, Wo: i32,
  packed: usize, K: i32, L: i32, colOff: usize,
  M: i32, sh: i32, sw: i32, Wp: i32,
  xc: usize,
): void {
  const P = Ho * Wo;
  const groups = (L + 31) >> 5;
  for (let g = 0; g < groups; g++) {
    const base = packed + (<usize>(g * K) << 7);
    const offs = colOff + (<usize>(g * 32) << 2);
    let start = load<i32>(rowStart);
    for (let p = 0; p < P; p++) {
      const end = load<i32>(rowStart + (<usize>(p + 1) << 2));
      if (end == start) continue;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
      for (let j = start; j < end; j++) {
        const o = <usize>j << 2;
        const v = v128.load32_splat(vals + o);
        const w = base + (<usize>load<i32>(kIdx + o) << 7);
        a0 = madd4(a0, v, v128.load(w)); a1 = madd4(a1, v, v128.load(w, 16));
        a2 = madd4(a2, v, v128.load(w, 32)); a3 = madd4(a3, v, v128.load(w, 48));
        a4 = madd4(a4, v, v128.load(w, 64)); a5 = madd4(a5, v, v128.load(w, 80));
        a6 = madd4(a6, v, v128.load(w, 96)); a7 = madd4(a7, v, v128.load(w, 112));
      }
      start = end;
      const d = xc + pixelOffsetHwc(p, Wo, sh, sw, Wp, M);
      scatter8(d, offs, a0, a1);
      scatter8(d, offs + 32, a2, a3);
      scatter8(d, offs + 64, a4, a5);
      scatter8(d, offs + 96, a6, a7);
    }
  }
}
