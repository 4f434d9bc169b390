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
// are zeroed so that the GEMM may run over whole groups of 8 tiles.

export function f32_winograd_2x2_3x3_input_transform_scalar(
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
      const src = plane + (<usize>(2 * ty * Wq + 2 * tx) << 2);
      f32_winograd_2x2_3x3_input_tile_scalar(src, rowBytes, vc + (<usize>j << 2), planeXi);
    }
    for (let j = n; j < nPad; j++) {
      for (let xi = 0; xi < 16; xi++) store<f32>(vc + <usize>xi * planeXi + (<usize>j << 2), 0);
    }
  }
}

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
