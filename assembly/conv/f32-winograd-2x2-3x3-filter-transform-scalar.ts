// Winograd F(2x2, 3x3) filter transform: U = G g G^T for every (output channel, input channel)
// pair, with G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]] (interpolation points
// 0, 1, -1 and infinity). Done once per set of weights, so it is scalar and works in f64,
// rounding each of the 16 values to f32 once: the transformed filters carry no more error than
// the weights themselves.
//
// Layout for f32-winograd-gemm-4x8: U[xi][ob][i][r], xi = 4*row + col of the 4x4 transform, ob a
// block of 4 output channels (the last block zero-filled), i the input channel, r in 0..3. Then
// the GEMM's inner loop reads the 4 output channels of one input channel as 4 consecutive floats.

/**
 * w holds PyTorch weights [K][M][3][3]. Forward (transpose = 0): outputs are the K filters,
 * inputs the M channels. Transpose (transpose = 1): W^T is the correlation with the filters
 * flipped in both axes and the channel roles swapped, so outputs are the M channels and inputs
 * the K codes, g[a][b] = w[k][m][2 - a][2 - b].
 */
export function f32_winograd_2x2_3x3_filter_transform_scalar(w: usize, K: i32, M: i32, transpose: i32, U: usize): void {
  const O = transpose ? M : K;
  const I = transpose ? K : M;
  const Op = (O + 3) & ~3;
  const planeXi = <usize>(Op * I) << 2; // bytes per xi plane
  for (let o = 0; o < Op; o++) {
    const ob = o >> 2;
    const r = o & 3;
    for (let i = 0; i < I; i++) {
      const dst = U + (<usize>((ob * I + i) * 4 + r) << 2);
      if (o >= O) {
        for (let xi = 0; xi < 16; xi++) store<f32>(dst + <usize>xi * planeXi, 0);
        continue;
      }
      const src = transpose ? w + (<usize>((i * M + o) * 9) << 2) : w + (<usize>((o * M + i) * 9) << 2);
      // g[a][b] in f64
      let g00: f64, g01: f64, g02: f64, g10: f64, g11: f64, g12: f64, g20: f64, g21: f64, g22: f64;
      if (transpose) {
        g00 = <f64>load<f32>(src, 32); g01 = <f64>load<f32>(src, 28); g02 = <f64>load<f32>(src, 24);
        g10 = <f64>load<f32>(src, 20); g11 = <f64>load<f32>(src, 16); g12 = <f64>load<f32>(src, 12);
        g20 = <f64>load<f32>(src, 8); g21 = <f64>load<f32>(src, 4); g22 = <f64>load<f32>(src, 0);
      } else {
        g00 = <f64>load<f32>(src, 0); g01 = <f64>load<f32>(src, 4); g02 = <f64>load<f32>(src, 8);
        g10 = <f64>load<f32>(src, 12); g11 = <f64>load<f32>(src, 16); g12 = <f64>load<f32>(src, 20);
        g20 = <f64>load<f32>(src, 24); g21 = <f64>load<f32>(src, 28); g22 = <f64>load<f32>(src, 32);
      }
      // G g: 4 rows x 3 columns
      const a0 = g00, a1 = g01, a2 = g02;
      const b0 = (g00 + g10 + g20) * 0.5, b1 = (g01 + g11 + g21) * 0.5, b2 = (g02 + g12 + g22) * 0.5;
      const c0 = (g00 - g10 + g20) * 0.5, c1 = (g01 - g11 + g21) * 0.5, c2 = (g02 - g12 + g22) * 0.5;
      const d0 = g20, d1 = g21, d2 = g22;
      // (G g) G^T: each row of 3 becomes 4
      storeRow(dst, planeXi, 0, a0, a1, a2);
      storeRow(dst, planeXi, 1, b0, b1, b2);
      storeRow(dst, planeXi, 2, c0, c1, c2);
      storeRow(dst, planeXi, 3, d0, d1, d2);
    }
  }
}

// @ts-ignore: decorator
@inline
function storeRow(dst: usize, planeXi: usize, row: i32, x0: f64, x1: f64, x2: f64): void {
  const base = dst + <usize>(row * 4) * planeXi;
  store<f32>(base, <f32>x0);
  store<f32>(base + planeXi, <f32>((x0 + x1 + x2) * 0.5));
  store<f32>(base + 2 * planeXi, <f32>((x0 - x1 + x2) * 0.5));
  store<f32>(base + 3 * planeXi, <f32>x2);
}
