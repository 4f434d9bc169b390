// Winograd F(2x2, 3x3) output transform, four horizontally adjacent tiles per f32x4: the same
// operations as f32-winograd-2x2-3x3-output-transform-scalar (its reference) in the same order.
// The four tiles' outputs (y0, y1) interleave into 8 consecutive pixels of an output row, two
// shuffles per row; groups that reach past the right edge go through the scalar tile.
import { winogradPlaneBytes } from "../helpers/f32-winograd-plane-bytes";
import { f32_winograd_2x2_3x3_output_tile_scalar } from "../helpers/f32-winograd-2x2-3x3-tile-scalar";

export function f32_winograd_2x2_3x3_output_transform_4x_simd(
  Om: usize, oBegin: i32, oEnd: i32, Op: i32, Tb: i32, TX: i32, t0: i32, n: i32, Ho: i32, Wo: i32, out: usize,
): void {
  const planeXi = winogradPlaneBytes(Op, Tb);
  const rowBytes = <usize>Wo << 2;
  const t1 = t0 + n;
  const tyFirst = t0 / TX;
  const tyLast = (t1 - 1) / TX;
  for (let o = oBegin; o < oEnd; o++) {
    const srcO = Om + (<usize>(o * Tb) << 2);
    const dstO = out + (<usize>(o * Ho * Wo) << 2);
    for (let ty = tyFirst; ty <= tyLast; ty++) {
      const y = 2 * ty;
      const twoRows = y + 1 < Ho;
      const rowT = ty * TX;
      let tx = max(0, t0 - rowT);
      const txEnd = min(TX, t1 - rowT);
      for (; tx + 4 <= txEnd && 2 * tx + 8 <= Wo; tx += 4) {
        const s = srcO + (<usize>(rowT + tx - t0) << 2);
        const m00 = v128.load(s), m01 = v128.load(s + planeXi), m02 = v128.load(s + 2 * planeXi), m03 = v128.load(s + 3 * planeXi);
        const m10 = v128.load(s + 4 * planeXi), m11 = v128.load(s + 5 * planeXi), m12 = v128.load(s + 6 * planeXi), m13 = v128.load(s + 7 * planeXi);
        const m20 = v128.load(s + 8 * planeXi), m21 = v128.load(s + 9 * planeXi), m22 = v128.load(s + 10 * planeXi), m23 = v128.load(s + 11 * planeXi);
        const m30 = v128.load(s + 12 * planeXi), m31 = v128.load(s + 13 * planeXi), m32 = v128.load(s + 14 * planeXi), m33 = v128.load(s + 15 * planeXi);
        const f00 = f32x4.add(f32x4.add(m00, m01), m02), f01 = f32x4.sub(f32x4.sub(m01, m02), m03);
        const f10 = f32x4.add(f32x4.add(m10, m11), m12), f11 = f32x4.sub(f32x4.sub(m11, m12), m13);
        const f20 = f32x4.add(f32x4.add(m20, m21), m22), f21 = f32x4.sub(f32x4.sub(m21, m22), m23);
        const f30 = f32x4.add(f32x4.add(m30, m31), m32), f31 = f32x4.sub(f32x4.sub(m31, m32), m33);
        const y00 = f32x4.add(f32x4.add(f00, f10), f20), y01 = f32x4.add(f32x4.add(f01, f11), f21);
        const p = dstO + (<usize>(y * Wo + 2 * tx) << 2);
        v128.store(p, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5));
        v128.store(p, v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), 16);
        if (twoRows) {
          const y10 = f32x4.sub(f32x4.sub(f10, f20), f30), y11 = f32x4.sub(f32x4.sub(f11, f21), f31);
          const q = p + rowBytes;
          v128.store(q, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5));
          v128.store(q, v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), 16);
        }
      }
      for (; tx < txEnd; tx++) {
        f32_winograd_2x2_3x3_output_tile_scalar(srcO + (<usize>(rowT + tx - t0) << 2), planeXi, dstO, y, 2 * tx, Ho, Wo);
      }
    }
  }
}
