// Winograd F(2x2, 3x3) filter transform: U = G g G^T for every (output channel, input channel)
// pair, with G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]] (interpolation points
// 0, 1, -1 and infinity). Done once per set of weights, so it is scalar and works in f64,
// rounding each of the 16 values to f32 once: the transformed filters carry no more error than
// the weights themselves.
//
// Layout for f32-winograd-gemm-4x8: U[xi][ob][i][r], xi = 4*row + col of the 4x4 transform, ob a
// block of 4 output channels (the last block zero-filled), i the input channel, r in 0..3. Then
// the GEMM's inner loop reads the 4 output channels of one input channel as 4 consecutive floats.

import { winogradFilterTransformScalar } from "../helpers/f32-winograd-tile-loops-scalar";

/**
 * w holds PyTorch weights [K][M][3][3]. Forward (transpose = 0): outputs are the K filters,
 * inputs the M channels. Transpose (transpose = 1): W^T is the correlation with the filters
 * flipped in both axes and the channel roles swapped, so outputs are the M channels and inputs
 * the K codes, g[a][b] = w[k][m][2 - a][2 - b].
 */
export function f32_winograd_2x2_3x3_filter_transform_scalar(w: usize, K: i32, M: i32, transpose: i32, U: usize): void {
  winogradFilterTransformScalar(2, w, K, M, transpose, U);
}
