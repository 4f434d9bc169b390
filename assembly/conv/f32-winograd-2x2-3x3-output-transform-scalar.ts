// Winograd F(2x2, 3x3) output transform, one tile at a time: Y = A^T m A for each 4x4 product
// tile m, with A^T = [[1, 1, 1, 0], [0, 1, -1, -1]], written as the tile's 2x2 outputs into the
// channel-first result out[O][Ho][Wo] (the second row or column is dropped at an odd edge).
// The reference for f32-winograd-2x2-3x3-output-transform-4x-simd (same operations, same order).
//
// Om[xi][o][j] comes from the GEMM for the block of tiles t0 .. t0 + n - 1 (j = t - t0, rows Tb
// floats apart); tile t = ty TX + tx covers outputs (2 ty .. 2 ty + 1, 2 tx .. 2 tx + 1).

export function f32_winograd_2x2_3x3_output_transform_scalar(
  Om: usize, O: i32, Op: i32, Tb: i32, TX: i32, t0: i32, n: i32, Ho: i32, Wo: i32, out: usize,
): void {
  const planeXi = <usize>(Op * Tb) << 2;
  for (let o = 0; o < O; o++) {
    const src = Om + (<usize>(o * Tb) << 2);
    const dst = out + (<usize>(o * Ho * Wo) << 2);
    for (let j = 0; j < n; j++) {
      const t = t0 + j;
      const ty = t / TX;
      const tx = t - ty * TX;
      f32_winograd_2x2_3x3_output_tile_scalar(src + (<usize>j << 2), planeXi, dst, 2 * ty, 2 * tx, Ho, Wo);
    }
  }
}

/** One tile: reads m[xi] at src + xi * planeXi, writes the in-bounds outputs at (y, x).. */
// @ts-ignore: decorator
@inline
export function f32_winograd_2x2_3x3_output_tile_scalar(
  src: usize, planeXi: usize, dst: usize, y: i32, x: i32, Ho: i32, Wo: i32,
): void {
  // rows of m A (f_i = m_i A)
  const m00 = load<f32>(src), m01 = load<f32>(src + planeXi), m02 = load<f32>(src + 2 * planeXi), m03 = load<f32>(src + 3 * planeXi);
  const m10 = load<f32>(src + 4 * planeXi), m11 = load<f32>(src + 5 * planeXi), m12 = load<f32>(src + 6 * planeXi), m13 = load<f32>(src + 7 * planeXi);
  const m20 = load<f32>(src + 8 * planeXi), m21 = load<f32>(src + 9 * planeXi), m22 = load<f32>(src + 10 * planeXi), m23 = load<f32>(src + 11 * planeXi);
  const m30 = load<f32>(src + 12 * planeXi), m31 = load<f32>(src + 13 * planeXi), m32 = load<f32>(src + 14 * planeXi), m33 = load<f32>(src + 15 * planeXi);
  const f00 = m00 + m01 + m02, f01 = m01 - m02 - m03;
  const f10 = m10 + m11 + m12, f11 = m11 - m12 - m13;
  const f20 = m20 + m21 + m22, f21 = m21 - m22 - m23;
  const f30 = m30 + m31 + m32, f31 = m31 - m32 - m33;
  // A^T (m A)
  const y00 = f00 + f10 + f20, y01 = f01 + f11 + f21;
  const y10 = f10 - f20 - f30, y11 = f11 - f21 - f31;
  const p = dst + (<usize>(y * Wo + x) << 2);
  const right = x + 1 < Wo;
  store<f32>(p, y00);
  if (right) store<f32>(p, y01, 4);
  if (y + 1 < Ho) {
    const q = p + (<usize>Wo << 2);
    store<f32>(q, y10);
    if (right) store<f32>(q, y11, 4);
  }
}
