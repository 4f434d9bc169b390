// One tile of the Winograd F(2x2, 3x3) input transform (V = B^T d B) and of the output transform
// (Y = A^T M A): the scalar references' loops, and the edge tiles of the 4x SIMD kernels.

/** One tile: reads src[r * rowBytes + 4 col], writes dst[xi * planeXi]. */
// @ts-ignore: decorator
@inline
export function f32_winograd_2x2_3x3_input_tile_scalar(src: usize, rowBytes: usize, dst: usize, planeXi: usize): void {
  // rows of d B (e_r = d_r B)
  const r0 = src, r1 = src + rowBytes, r2 = src + 2 * rowBytes, r3 = src + 3 * rowBytes;
  const e00 = load<f32>(r0) - load<f32>(r0, 8), e01 = load<f32>(r0, 4) + load<f32>(r0, 8);
  const e02 = load<f32>(r0, 8) - load<f32>(r0, 4), e03 = load<f32>(r0, 4) - load<f32>(r0, 12);
  const e10 = load<f32>(r1) - load<f32>(r1, 8), e11 = load<f32>(r1, 4) + load<f32>(r1, 8);
  const e12 = load<f32>(r1, 8) - load<f32>(r1, 4), e13 = load<f32>(r1, 4) - load<f32>(r1, 12);
  const e20 = load<f32>(r2) - load<f32>(r2, 8), e21 = load<f32>(r2, 4) + load<f32>(r2, 8);
  const e22 = load<f32>(r2, 8) - load<f32>(r2, 4), e23 = load<f32>(r2, 4) - load<f32>(r2, 12);
  const e30 = load<f32>(r3) - load<f32>(r3, 8), e31 = load<f32>(r3, 4) + load<f32>(r3, 8);
  const e32 = load<f32>(r3, 8) - load<f32>(r3, 4), e33 = load<f32>(r3, 4) - load<f32>(r3, 12);
  // B^T (d B), column by column
  store<f32>(dst, e00 - e20); store<f32>(dst + planeXi, e01 - e21);
  store<f32>(dst + 2 * planeXi, e02 - e22); store<f32>(dst + 3 * planeXi, e03 - e23);
  store<f32>(dst + 4 * planeXi, e10 + e20); store<f32>(dst + 5 * planeXi, e11 + e21);
  store<f32>(dst + 6 * planeXi, e12 + e22); store<f32>(dst + 7 * planeXi, e13 + e23);
  store<f32>(dst + 8 * planeXi, e20 - e10); store<f32>(dst + 9 * planeXi, e21 - e11);
  store<f32>(dst + 10 * planeXi, e22 - e12); store<f32>(dst + 11 * planeXi, e23 - e13);
  store<f32>(dst + 12 * planeXi, e10 - e30); store<f32>(dst + 13 * planeXi, e11 - e31);
  store<f32>(dst + 14 * planeXi, e12 - e32); store<f32>(dst + 15 * planeXi, e13 - e33);
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

/** U = G g G^T of one 3x3 filter g (in f64, each value rounded to f32 once), its planes planeXi bytes apart. */
// @ts-ignore: decorator
@inline
export function f32_winograd_2x2_3x3_filter_tile_scalar(dst: usize, planeXi: usize, g00: f64, g01: f64, g02: f64, g10: f64, g11: f64, g12: f64, g20: f64, g21: f64, g22: f64): void {
  // G g: 4 rows x 3 columns
  const a0 = g00, a1 = g01, a2 = g02;
  const b0 = (g00 + g10 + g20) * 0.5, b1 = (g01 + g11 + g21) * 0.5, b2 = (g02 + g12 + g22) * 0.5;
  const c0 = (g00 - g10 + g20) * 0.5, c1 = (g01 - g11 + g21) * 0.5, c2 = (g02 - g12 + g22) * 0.5;
  const d0 = g20, d1 = g21, d2 = g22;
  // (G g) G^T: each row of 3 becomes 4
  storeFilterRow2x2(dst, planeXi, 0, a0, a1, a2);
  storeFilterRow2x2(dst, planeXi, 1, b0, b1, b2);
  storeFilterRow2x2(dst, planeXi, 2, c0, c1, c2);
  storeFilterRow2x2(dst, planeXi, 3, d0, d1, d2);
}

// @ts-ignore: decorator
@inline
function storeFilterRow2x2(dst: usize, planeXi: usize, row: i32, x0: f64, x1: f64, x2: f64): void {
  const base = dst + <usize>(row * 4) * planeXi;
  store<f32>(base, <f32>x0);
  store<f32>(base + planeXi, <f32>((x0 + x1 + x2) * 0.5));
  store<f32>(base + 2 * planeXi, <f32>((x0 - x1 + x2) * 0.5));
  store<f32>(base + 3 * planeXi, <f32>x2);
}
