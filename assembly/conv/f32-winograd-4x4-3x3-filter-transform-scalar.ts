// Winograd F(4x4, 3x3) filter transform: U = G g G^T for every (output channel, input channel)
// pair, with
//   G = [[1, 0, 0], [-1/3, 1/3, -1/3], [1/3, 1/3, 1/3], [-16/15, -8/15, -4/15], [1/15, -2/15, 4/15], [0, 0, 1]]
// (interpolation points 0, -1, 1, 1/2, -2 and infinity, as helpers/f32-winograd-4x4-3x3-steps).
// Done once per set of weights, so it is scalar and works in f64, rounding each of the 36 values
// to f32 once.
//
// Layout for f32-winograd-gemm-36-4x8: U[xi][ob][i][r], xi = 6 row + col of the 6x6 transform, ob
// a block of 4 output channels (the last block zero-filled), i the input channel, r in 0..3.

/**
 * w holds PyTorch weights [K][M][3][3]. Forward (transpose = 0): outputs are the K filters,
 * inputs the M channels. Transpose (transpose = 1): the filters flipped in both axes and the
 * channel roles swapped, g[a][b] = w[k][m][2 - a][2 - b], outputs the M channels.
 */
export function f32_winograd_4x4_3x3_filter_transform_scalar(w: usize, K: i32, M: i32, transpose: i32, U: usize): void {
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
        for (let xi = 0; xi < 36; xi++) store<f32>(dst + <usize>xi * planeXi, 0);
        continue;
      }
      const src = transpose ? w + (<usize>((i * M + o) * 9) << 2) : w + (<usize>((o * M + i) * 9) << 2);
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
      // G g: 6 rows x 3 columns; then each row becomes 6 values (G g) G^T
      storeRow(dst, planeXi, 0, g00, g01, g02);
      storeRow(dst, planeXi, 1, -(g00 - g10 + g20) / 3, -(g01 - g11 + g21) / 3, -(g02 - g12 + g22) / 3);
      storeRow(dst, planeXi, 2, (g00 + g10 + g20) / 3, (g01 + g11 + g21) / 3, (g02 + g12 + g22) / 3);
      storeRow(dst, planeXi, 3, -(4 * g00 + 2 * g10 + g20) * 4 / 15, -(4 * g01 + 2 * g11 + g21) * 4 / 15, -(4 * g02 + 2 * g12 + g22) * 4 / 15);
      storeRow(dst, planeXi, 4, (g00 - 2 * g10 + 4 * g20) / 15, (g01 - 2 * g11 + 4 * g21) / 15, (g02 - 2 * g12 + 4 * g22) / 15);
      storeRow(dst, planeXi, 5, g20, g21, g22);
    }
  }
}

function storeRow(dst: usize, planeXi: usize, row: i32, x0: f64, x1: f64, x2: f64): void {
  const base = dst + <usize>(row * 6) * planeXi;
  store<f32>(base, <f32>x0);
  store<f32>(base + planeXi, <f32>(-(x0 - x1 + x2) / 3));
  store<f32>(base + 2 * planeXi, <f32>((x0 + x1 + x2) / 3));
  store<f32>(base + 3 * planeXi, <f32>(-(4 * x0 + 2 * x1 + x2) * 4 / 15));
  store<f32>(base + 4 * planeXi, <f32>((x0 - 2 * x1 + 4 * x2) / 15));
  store<f32>(base + 5 * planeXi, <f32>x2);
}
