// Winograd F(4x4, 3x3) output transform, four horizontally adjacent tiles per f32x4: the same
// operations as f32-winograd-4x4-3x3-output-transform-scalar (its reference) in the same order.
// Each output row of the four tiles is 4 vectors (one per column, a tile per lane), which a 4x4
// register transpose turns into 16 consecutive pixels; groups that reach past the right edge go
// through the scalar tile.
import { f32_winograd_4x4_3x3_output_tile_scalar } from "../helpers/f32-winograd-4x4-3x3-tile-scalar";
import { at0x4 as at0, at1x4 as at1, at2x4 as at2, at3x4 as at3 } from "../helpers/f32-winograd-4x4-3x3-steps";
import { f32x4_transpose_store } from "../helpers/f32x4-transpose-store";

export function f32_winograd_4x4_3x3_output_transform_4x_simd(
  Om: usize, O: i32, Op: i32, Tb: i32, TX: i32, t0: i32, n: i32, Ho: i32, Wo: i32, out: usize,
): void {
  const planeXi = <usize>(Op * Tb) << 2;
  const rowBytes = <usize>Wo << 2;
  const t1 = t0 + n;
  const tyFirst = t0 / TX;
  const tyLast = (t1 - 1) / TX;
  for (let o = 0; o < O; o++) {
    const srcO = Om + (<usize>(o * Tb) << 2);
    const dstO = out + (<usize>(o * Ho * Wo) << 2);
    for (let ty = tyFirst; ty <= tyLast; ty++) {
      const y = 4 * ty;
      const rowT = ty * TX;
      let tx = max(0, t0 - rowT);
      const txEnd = min(TX, t1 - rowT);
      for (; tx + 4 <= txEnd && 4 * tx + 16 <= Wo; tx += 4) {
        const s = srcO + (<usize>(rowT + tx - t0) << 2);
        const p = dstO + (<usize>(y * Wo + 4 * tx) << 2);
        // A^T m, column by column
        const m00 = v128.load(s), m10 = v128.load(s + 6 * planeXi), m20 = v128.load(s + 12 * planeXi), m30 = v128.load(s + 18 * planeXi), m40 = v128.load(s + 24 * planeXi), m50 = v128.load(s + 30 * planeXi);
        const g00 = at0(m00, m10, m20, m30, m40), g10 = at1(m10, m20, m30, m40);
        const g20 = at2(m10, m20, m30, m40), g30 = at3(m10, m20, m30, m40, m50);
        const m01 = v128.load(s + 1 * planeXi), m11 = v128.load(s + 7 * planeXi), m21 = v128.load(s + 13 * planeXi), m31 = v128.load(s + 19 * planeXi), m41 = v128.load(s + 25 * planeXi), m51 = v128.load(s + 31 * planeXi);
        const g01 = at0(m01, m11, m21, m31, m41), g11 = at1(m11, m21, m31, m41);
        const g21 = at2(m11, m21, m31, m41), g31 = at3(m11, m21, m31, m41, m51);
        const m02 = v128.load(s + 2 * planeXi), m12 = v128.load(s + 8 * planeXi), m22 = v128.load(s + 14 * planeXi), m32 = v128.load(s + 20 * planeXi), m42 = v128.load(s + 26 * planeXi), m52 = v128.load(s + 32 * planeXi);
        const g02 = at0(m02, m12, m22, m32, m42), g12 = at1(m12, m22, m32, m42);
        const g22 = at2(m12, m22, m32, m42), g32 = at3(m12, m22, m32, m42, m52);
        const m03 = v128.load(s + 3 * planeXi), m13 = v128.load(s + 9 * planeXi), m23 = v128.load(s + 15 * planeXi), m33 = v128.load(s + 21 * planeXi), m43 = v128.load(s + 27 * planeXi), m53 = v128.load(s + 33 * planeXi);
        const g03 = at0(m03, m13, m23, m33, m43), g13 = at1(m13, m23, m33, m43);
        const g23 = at2(m13, m23, m33, m43), g33 = at3(m13, m23, m33, m43, m53);
        const m04 = v128.load(s + 4 * planeXi), m14 = v128.load(s + 10 * planeXi), m24 = v128.load(s + 16 * planeXi), m34 = v128.load(s + 22 * planeXi), m44 = v128.load(s + 28 * planeXi), m54 = v128.load(s + 34 * planeXi);
        const g04 = at0(m04, m14, m24, m34, m44), g14 = at1(m14, m24, m34, m44);
        const g24 = at2(m14, m24, m34, m44), g34 = at3(m14, m24, m34, m44, m54);
        const m05 = v128.load(s + 5 * planeXi), m15 = v128.load(s + 11 * planeXi), m25 = v128.load(s + 17 * planeXi), m35 = v128.load(s + 23 * planeXi), m45 = v128.load(s + 29 * planeXi), m55 = v128.load(s + 35 * planeXi);
        const g05 = at0(m05, m15, m25, m35, m45), g15 = at1(m15, m25, m35, m45);
        const g25 = at2(m15, m25, m35, m45), g35 = at3(m15, m25, m35, m45, m55);
        // (A^T m) A, row by row
        f32x4_transpose_store(p, 16, at0(g00, g01, g02, g03, g04), at1(g01, g02, g03, g04), at2(g01, g02, g03, g04), at3(g01, g02, g03, g04, g05));
        if (y + 1 >= Ho) continue;
        f32x4_transpose_store(p + 1 * rowBytes, 16, at0(g10, g11, g12, g13, g14), at1(g11, g12, g13, g14), at2(g11, g12, g13, g14), at3(g11, g12, g13, g14, g15));
        if (y + 2 >= Ho) continue;
        f32x4_transpose_store(p + 2 * rowBytes, 16, at0(g20, g21, g22, g23, g24), at1(g21, g22, g23, g24), at2(g21, g22, g23, g24), at3(g21, g22, g23, g24, g25));
        if (y + 3 >= Ho) continue;
        f32x4_transpose_store(p + 3 * rowBytes, 16, at0(g30, g31, g32, g33, g34), at1(g31, g32, g33, g34), at2(g31, g32, g33, g34), at3(g31, g32, g33, g34, g35));
      }
      for (; tx < txEnd; tx++) {
        f32_winograd_4x4_3x3_output_tile_scalar(srcO + (<usize>(rowT + tx - t0) << 2), planeXi, dstO, y, 4 * tx, Ho, Wo);
      }
    }
  }
}
