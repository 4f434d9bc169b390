// Winograd F(2x2, 3x3) input transform, one tile at a time: V = B^T d B for every 4x4 input tile
// d (tiles overlap by 2 and step by 2), with
//   B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]].
// The reference for f32-winograd-2x2-3x3-input-transform-4x-simd, which does the same f32
// operations in the same order four tiles at a time, so the two agree bit for bit.
//
// P is a zero-padded channel-first input P[C][Hq][Wq] whose tile (ty, tx) starts at row 2 ty,
// column 2 tx, with Hq >= 2 TY + 2 and Wq >= 2 TX + 2. Tiles are numbered t = ty TX + tx; one call
// transforms the block t0 .. t0 + n - 1 into V[xi][c][j] (xi = 4 row + col of the transform,
// j = t - t0, row stride Tb), the block layout the GEMM reads. Columns n .. (n rounded up to 8) - 1
// are zeroed so that the GEMM may run over whole groups of 8 tiles. Only channels [cBegin, cEnd) are
// transformed (threads split a block by channels: each writes rows of V of its own).
import { winogradInputTransformScalar } from "../helpers/f32-winograd-tile-loops-scalar";

export function f32_winograd_2x2_3x3_input_transform_scalar(
  P: usize, cBegin: i32, cEnd: i32, C: i32, Hq: i32, Wq: i32, TX: i32, t0: i32, n: i32, Tb: i32, V: usize,
): void {
  winogradInputTransformScalar(2, P, cBegin, cEnd, C, Hq, Wq, TX, t0, n, Tb, V);
}
