// Winograd F(4x4, 3x3) output transform, one tile at a time: Y = A^T m A for each 6x6 product
// tile m (A^T as in helpers/f32-winograd-4x4-3x3-steps), written as the tile's 4x4 outputs into
// the channel-first result out[O][Ho][Wo] (rows and columns past the edge are dropped). Om is
// scratch: A^T m overwrites the first 24 planes of each tile's products.
// The reference for f32-winograd-4x4-3x3-output-transform-4x-simd (same operations, same order).
//
// Om[xi][o][j] comes from the GEMM for the block of tiles t0 .. t0 + n - 1 (j = t - t0, rows Tb
// floats apart); tile t = ty TX + tx covers outputs (4 ty .. 4 ty + 3, 4 tx .. 4 tx + 3).
import { winogradOutputTransformScalar } from "../helpers/f32-winograd-tile-loops-scalar";

export function f32_winograd_4x4_3x3_output_transform_scalar(
  Om: usize, oBegin: i32, oEnd: i32, Op: i32, Tb: i32, TX: i32, t0: i32, n: i32, Ho: i32, Wo: i32, out: usize,
): void {
  winogradOutputTransformScalar(4, Om, oBegin, oEnd, Op, Tb, TX, t0, n, Ho, Wo, out);
}
