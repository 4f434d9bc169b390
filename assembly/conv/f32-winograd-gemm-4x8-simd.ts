// The independent matrix products of a Winograd convolution (16 for F(2x2, 3x3), 36 for
// F(4x4, 3x3)) as a register-blocked GEMM: a tile of 4
// output channels x 8 tiles (two f32x4 of tiles) in eight accumulators, reducing over the input
// channels. Per input channel it loads two vectors of V and splats four filter values, which the
// filter transform laid out as 4 consecutive floats, for 8 multiply-adds: the same balance as
// f32-conv2d-4x8-simd. Reference: f32-winograd-gemm-scalar (same order, bit for bit).
//
// Tn is any count: after the groups of 8 come a group of 4 (four accumulators) and single tiles
// (an accumulator of 4 channels per panel: the panel row times the tile's value, four panels at a
// time), so that a block's tiles need no padding. Loop order: one 4 x I filter panel stays in L1
// while the tiles stream past it. Planes of V and O are winogradPlaneBytes apart.
import { winogradPlaneBytes } from "../helpers/f32-winograd-plane-bytes";
import { madd4 } from "../helpers/f32x4-madd";

export function f32_winograd_gemm_4x8_simd(U: usize, V: usize, O: usize, I: i32, Op: i32, oBegin: i32, oEnd: i32, Tb: i32, Tn: i32, planes: i32): void {
  const vStride = <usize>Tb << 2;
  const oStride = <usize>Tb << 2;
  const panelBytes = <usize>(I * 4) << 2;
  for (let xi = 0; xi < planes; xi++) {
    const Ux = U + (<usize>(xi * Op * I) << 2);
    const Vx = V + <usize>xi * winogradPlaneBytes(I, Tb);
    const Ox = O + <usize>xi * winogradPlaneBytes(Op, Tb);
    for (let ob = oBegin >> 2; ob < (oEnd >> 2); ob++) {
      const panel = Ux + <usize>ob * panelBytes;
      const panelEnd = panel + panelBytes;
      const out = Ox + <usize>(ob * 4) * oStride;
      const Tn8 = Tn & ~7;
      for (let t = 0; t < Tn8; t += 8) {
        let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
        let a1 = f32x4.splat(0), b1 = f32x4.splat(0);
        let a2 = f32x4.splat(0), b2 = f32x4.splat(0);
        let a3 = f32x4.splat(0), b3 = f32x4.splat(0);
        let vp = Vx + (<usize>t << 2);
        for (let up = panel; up < panelEnd; up += 16) {
          const vlo = v128.load(vp);
          const vhi = v128.load(vp, 16);
          const u0 = v128.load32_splat(up);
          const u1 = v128.load32_splat(up, 4);
          const u2 = v128.load32_splat(up, 8);
          const u3 = v128.load32_splat(up, 12);
          a0 = madd4(a0, u0, vlo); b0 = madd4(b0, u0, vhi);
          a1 = madd4(a1, u1, vlo); b1 = madd4(b1, u1, vhi);
          a2 = madd4(a2, u2, vlo); b2 = madd4(b2, u2, vhi);
          a3 = madd4(a3, u3, vlo); b3 = madd4(b3, u3, vhi);
          vp += vStride;
        }
        const dst = out + (<usize>t << 2);
        v128.store(dst, a0); v128.store(dst, b0, 16);
        v128.store(dst + oStride, a1); v128.store(dst + oStride, b1, 16);
        v128.store(dst + 2 * oStride, a2); v128.store(dst + 2 * oStride, b2, 16);
        v128.store(dst + 3 * oStride, a3); v128.store(dst + 3 * oStride, b3, 16);
      }
      let t = Tn8;
      if (t + 4 <= Tn) {
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let vp = Vx + (<usize>t << 2);
        for (let up = panel; up < panelEnd; up += 16) {
          const v = v128.load(vp);
          a0 = madd4(a0, v128.load32_splat(up), v); a1 = madd4(a1, v128.load32_splat(up, 4), v);
          a2 = madd4(a2, v128.load32_splat(up, 8), v); a3 = madd4(a3, v128.load32_splat(up, 12), v);
          vp += vStride;
        }
        const dst = out + (<usize>t << 2);
        v128.store(dst, a0); v128.store(dst + oStride, a1); v128.store(dst + 2 * oStride, a2); v128.store(dst + 3 * oStride, a3);
      }
    }
    // The last Tn % 4 tiles, one at a time: four panels (16 channels) per pass, so that each
    // value of the tile's column (a line of V apiece) serves four multiply-adds, and the loop
    // overhead is paid once for them.
    const t1 = Tn & ~3;
    if (t1 == Tn) continue;
    const ob0 = oBegin >> 2, ob1 = oEnd >> 2;
    let ob = ob0;
    for (; ob + 4 <= ob1; ob += 4) {
      const panel = Ux + <usize>ob * panelBytes;
      const panelEnd = panel + panelBytes;
      const out = Ox + <usize>(ob * 4) * oStride;
      for (let t = t1; t < Tn; t++) {
        let a = f32x4.splat(0), b = f32x4.splat(0), c = f32x4.splat(0), d = f32x4.splat(0);
        let vp = Vx + (<usize>t << 2);
        for (let up = panel; up < panelEnd; up += 16) {
          const v = v128.load32_splat(vp);
          a = madd4(a, v128.load(up), v); b = madd4(b, v128.load(up + panelBytes), v);
          c = madd4(c, v128.load(up + 2 * panelBytes), v); d = madd4(d, v128.load(up + 3 * panelBytes), v);
          vp += vStride;
        }
        const dst = out + (<usize>t << 2);
        storeColumn(dst, a, oStride); storeColumn(dst + 4 * oStride, b, oStride);
        storeColumn(dst + 8 * oStride, c, oStride); storeColumn(dst + 12 * oStride, d, oStride);
      }
    }
    for (; ob < ob1; ob++) {
      const panel = Ux + <usize>ob * panelBytes;
      const panelEnd = panel + panelBytes;
      const out = Ox + <usize>(ob * 4) * oStride;
      for (let t = t1; t < Tn; t++) {
        let a = f32x4.splat(0);
        let vp = Vx + (<usize>t << 2);
        for (let up = panel; up < panelEnd; up += 16) {
          a = madd4(a, v128.load(up), v128.load32_splat(vp));
          vp += vStride;
        }
        storeColumn(out + (<usize>t << 2), a, oStride);
      }
    }
  }
}

/** The four channels of one tile (lanes of a) into four rows oStride apart. */
// @ts-ignore: decorator
@inline
function storeColumn(dst: usize, a: v128, oStride: usize): void {
  store<f32>(dst, f32x4.extract_lane(a, 0)); store<f32>(dst + oStride, f32x4.extract_lane(a, 1));
  store<f32>(dst + 2 * oStride, f32x4.extract_lane(a, 2)); store<f32>(dst + 3 * oStride, f32x4.extract_lane(a, 3));
}
