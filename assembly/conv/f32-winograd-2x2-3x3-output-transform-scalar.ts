// Winograd F(2x2, 3x3) output transform, one tile at a time: Y = A^T m A for each 4x4 product
// tile m, with A^T = [[1, 1, 1, 0], [0, 1, -1, -1]], written as the tile's 2x2 outputs into the
// channel-first result out[O][Ho][Wo] (the second row or column is dropped at an odd edge).
// The reference for f32-winograd-2x2-3x3-output-transform-4x-simd (same operations, same order).
//
// Om[xi][o][j] comes from the GEMM for the block of tiles t0 .. t0 + n - 1 (j = t - t0, rows Tb
// floats apart); tile t = ty TX + tx covers outputs (2 ty .. 2 ty + 1, 2 tx .. 2 tx + 1).
import { winogradOutputTransformScalar } from "../helpers/f32-winograd-tile-loops-scalar";

export function f32_winograd_2x2_3x3_output_transform_scalar(
  Om: usize, oBegin: i32, oEnd: i32, Op: i32, Tb: i32, TX: i32, t0: i32, n: i32, Ho: i32, Wo: i32, out: usize,
): void {
  winogradOutputTransformScalar(2, Om, oBegin, oEnd, Op, Tb, TX, t0, n, Ho, Wo, out);
}
