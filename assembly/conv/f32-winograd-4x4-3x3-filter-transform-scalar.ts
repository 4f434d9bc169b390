// Winograd F(4x4, 3x3) filter transform: U = G g G^T for every (output channel, input channel)
// pair, with
//   G = [[1, 0, 0], [-1/3, 1/3, -1/3], [1/3, 1/3, 1/3], [-16/15, -8/15, -4/15], [1/15, -2/15, 4/15], [0, 0, 1]]
// (interpolation points 0, -1, 1, 1/2, -2 and infinity, as helpers/f32-winograd-4x4-3x3-steps).
// Done once per set of weights, so it is scalar and works in f64, rounding each of the 36 values
// to f32 once.
//
// Layout for f32-winograd-gemm-4x8: U[xi][ob][i][r], xi = 6 row + col of the 6x6 transform, ob
// a block of 4 output channels (the last block zero-filled), i the input channel, r in 0..3.

import { winogradFilterTransformScalar } from "../helpers/f32-winograd-tile-loops-scalar";

/**
 * w holds PyTorch weights [K][M][3][3]. Forward (transpose = 0): outputs are the K filters,
 * inputs the M channels. Transpose (transpose = 1): the filters flipped in both axes and the
 * channel roles swapped, g[a][b] = w[k][m][2 - a][2 - b], outputs the M channels.
 */
export function f32_winograd_4x4_3x3_filter_transform_scalar(w: usize, K: i32, M: i32, transpose: i32, U: usize): void {
  winogradFilterTransformScalar(4, w, K, M, transpose, U);
}
