// Dense transposed convolution as a GEMM followed by a scatter-add ("col2im"): a tile of
// 4 code pixels x 8 channel-last columns c = (ky*kw + kx)*M + m is reduced over the K filters in
// eight f32x4 accumulators, then added into the channel-last padded accumulator xc[Hp][Wp][M].
// Columns come from f32_pack_conv2d_transpose_8_scalar panels; colOff from i32_conv2d_transpose_offsets_scalar.
// scatter8 adds 8 columns with one vector add pair where they are consecutive floats (one tap,
// 8 channels), column by column otherwise.
import { pixelOffsetHwc, scatter8 } from "../helpers/f32-conv2d-col2im-scatter";
import { madd4 } from "../helpers/f32x4-madd";

export function f32_conv2d_transpose_4x8_simd(
  z: usize, K: i32, Ho: i32, Wo: i32,
  packed: usize, L: i32, colOff: usize,
  M: i32, sh: i32, sw: i32, Wp: i32,
  pBegin: i32, pEnd: i32, yBegin: i32, yEnd: i32,
  xc: usize,
): void {
  // Code pixels [pBegin, pEnd), adding only into accumulator rows [yBegin, yEnd): threads split
  // the rows into bands (each visiting the pixels that reach its rows), so no two write the same
  // element and each element receives its sums in the order of one whole call.
  const bandLo = xc + (<usize>(yBegin * Wp * M) << 2), bandHi = xc + (<usize>(yEnd * Wp * M) << 2);
  const P = Ho * Wo;
  const zStride = <usize>P << 2;
  const blocks = (L + 7) >> 3;
  for (let blk = 0; blk < blocks; blk++) {
    const panel = packed + (<usize>(blk * K * 8) << 2);
    const offs = colOff + (<usize>(blk * 8) << 2);
    let p = pBegin;
    for (; p + 4 <= pEnd; p += 4) {
      let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
      let a1 = f32x4.splat(0), b1 = f32x4.splat(0);
      let a2 = f32x4.splat(0), b2 = f32x4.splat(0);
      let a3 = f32x4.splat(0), b3 = f32x4.splat(0);
      let zp = z + (<usize>p << 2);
      let wp = panel;
      for (let k = 0; k < K; k++) {
        const wlo = v128.load(wp);
        const whi = v128.load(wp, 16);
        const z0 = v128.load32_splat(zp);
        const z1 = v128.load32_splat(zp, 4);
        const z2 = v128.load32_splat(zp, 8);
        const z3 = v128.load32_splat(zp, 12);
        a0 = madd4(a0, z0, wlo); b0 = madd4(b0, z0, whi);
        a1 = madd4(a1, z1, wlo); b1 = madd4(b1, z1, whi);
        a2 = madd4(a2, z2, wlo); b2 = madd4(b2, z2, whi);
        a3 = madd4(a3, z3, wlo); b3 = madd4(b3, z3, whi);
        wp += 32;
        zp += zStride;
      }
      scatter8(xc + pixelOffsetHwc(p, Wo, sh, sw, Wp, M), offs, a0, b0, bandLo, bandHi);
      scatter8(xc + pixelOffsetHwc(p + 1, Wo, sh, sw, Wp, M), offs, a1, b1, bandLo, bandHi);
      scatter8(xc + pixelOffsetHwc(p + 2, Wo, sh, sw, Wp, M), offs, a2, b2, bandLo, bandHi);
      scatter8(xc + pixelOffsetHwc(p + 3, Wo, sh, sw, Wp, M), offs, a3, b3, bandLo, bandHi);
    }
    for (; p < pEnd; p++) {
      let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
      let zp = z + (<usize>p << 2);
      let wp = panel;
      for (let k = 0; k < K; k++) {
        const z0 = v128.load32_splat(zp);
        a0 = madd4(a0, z0, v128.load(wp));
        b0 = madd4(b0, z0, v128.load(wp, 16));
        wp += 32;
        zp += zStride;
      }
      scatter8(xc + pixelOffsetHwc(p, Wo, sh, sw, Wp, M), offs, a0, b0, bandLo, bandHi);
    }
  }
}
