// Dense transposed convolution as a GEMM followed by a scatter-add ("col2im"): a tile of
// 4 code pixels x 8 channel-last columns c = (ky*kw + kx)*M + m is reduced over the K filters in
// eight f32x4 accumulators, then added into the channel-last padded accumulator xc[Hp][Wp][M].
// Columns come from f32_pack_conv2d_transpose_8_scalar panels; colOff from i32_conv2d_transpose_offsets_scalar.
import { pixelOffsetHwc, scatterColumns } from "../helpers/f32-conv2d-col2im-scatter";
import { scratch, SCRATCH_TILE_4X8 } from "../helpers/instance-scratch";
import { madd4 } from "../helpers/f32x4-madd";

export function f32_conv2d_transpose_4x8_simd(
  z: usize, K: i32, Ho: i32, Wo: i32,
  packed: usize, L: i32, colOff: usize,
  M: i32, sh: i32, sw: i32, Wp: i32,
  xc: usize,
): void {
  const tile = scratch + SCRATCH_TILE_4X8;
  const P = Ho * Wo;
  const zStride = <usize>P << 2;
  const blocks = (L + 7) >> 3;
  for (let blk = 0; blk < blocks; blk++) {
    const panel = packed + (<usize>(blk * K * 8) << 2);
    const offs = colOff + (<usize>(blk * 8) << 2);
    const o0 = load<i32>(offs);
    const o7 = load<i32>(offs, 28);
    // Offsets strictly increase with c inside the valid range, so a span of exactly 7 over
    // 8 columns means all 8 land on consecutive floats: one unaligned vector add each half.
    const contiguous = o7 >= 0 && o7 - o0 == 7;
    const o0Bytes = <usize>o0 << 2;
    let p = 0;
    for (; p + 4 <= P; p += 4) {
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
      if (contiguous) {
        let d = xc + pixelOffsetHwc(p, Wo, sh, sw, Wp, M) + o0Bytes;
        v128.store(d, f32x4.add(v128.load(d), a0)); v128.store(d, f32x4.add(v128.load(d, 16), b0), 16);
        d = xc + pixelOffsetHwc(p + 1, Wo, sh, sw, Wp, M) + o0Bytes;
        v128.store(d, f32x4.add(v128.load(d), a1)); v128.store(d, f32x4.add(v128.load(d, 16), b1), 16);
        d = xc + pixelOffsetHwc(p + 2, Wo, sh, sw, Wp, M) + o0Bytes;
        v128.store(d, f32x4.add(v128.load(d), a2)); v128.store(d, f32x4.add(v128.load(d, 16), b2), 16);
        d = xc + pixelOffsetHwc(p + 3, Wo, sh, sw, Wp, M) + o0Bytes;
        v128.store(d, f32x4.add(v128.load(d), a3)); v128.store(d, f32x4.add(v128.load(d, 16), b3), 16);
      } else {
        v128.store(tile, a0, 0); v128.store(tile, b0, 16);
        v128.store(tile, a1, 32); v128.store(tile, b1, 48);
        v128.store(tile, a2, 64); v128.store(tile, b2, 80);
        v128.store(tile, a3, 96); v128.store(tile, b3, 112);
        for (let j = 0; j < 4; j++) {
          scatterColumns(xc + pixelOffsetHwc(p + j, Wo, sh, sw, Wp, M), offs, tile + (<usize>(j * 8) << 2));
        }
      }
    }
    for (; p < P; p++) {
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
      v128.store(tile, a0, 0); v128.store(tile, b0, 16);
      scatterColumns(xc + pixelOffsetHwc(p, Wo, sh, sw, Wp, M), offs, tile);
    }
  }
}
