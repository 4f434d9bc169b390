// Winograd F(4x4, 3x3) input transform, one tile at a time: V = B^T d B for every 6x6 input tile
// d (tiles overlap by 2 and step by 4), B^T as in helpers/f32-winograd-4x4-3x3-steps.
// The reference for f32-winograd-4x4-3x3-input-transform-4x-simd, which does the same f32
// operations in the same order four tiles at a time, so the two agree bit for bit.
//
// P is a zero-padded channel-first input P[C][Hq][Wq] whose tile (ty, tx) starts at row 4 ty,
// column 4 tx, with Hq >= 4 TY + 2 and Wq >= 4 TX + 2. Tiles are numbered t = ty TX + tx; one call
// transforms the block t0 .. t0 + n - 1 into V[xi][c][j] (xi = 6 row + col of the transform,
// j = t - t0, row stride Tb), the block layout the GEMM reads. Columns n .. (n rounded up to 8) - 1
// are zeroed so that the GEMM may run over whole groups of 8 tiles.
import { f32_winograd_4x4_3x3_input_tile_scalar } from "../helpers/f32-winograd-4x4-3x3-tile-scalar";

export function f32_winograd_4x4_3x3_input_transform_scalar(
  P: usize, C: i32, Hq: i32, Wq: i32, TX: i32, t0: i32, n: i32, Tb: i32, V: usize,
): void {
  const planeXi = <usize>(C * Tb) << 2;
  const rowBytes = <usize>Wq << 2;
  const nPad = (n + 7) & ~7;
  for (let c = 0; c < C; c++) {
    const plane = P + (<usize>(c * Hq * Wq) << 2);
    const vc = V + (<usize>(c * Tb) << 2);
    for (let j = 0; j < n; j++) {
      const t = t0 + j;
      const ty = t / TX;
      const tx = t - ty * TX;
      const src = plane + (<usize>(4 * ty * Wq + 4 * tx) << 2);
      f32_winograd_4x4_3x3_input_tile_scalar(src, rowBytes, vc + (<usize>j << 2), planeXi);
    }
    for (let j = n; j < nPad; j++) {
      for (let xi = 0; xi < 36; xi++) store<f32>(vc + <usize>xi * planeXi + (<usize>j << 2), 0);
    }
  }
}
