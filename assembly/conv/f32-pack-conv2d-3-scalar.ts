// Weight packing for f32-conv2d-s1-3x8-simd, once per setWeights: for each block of 3 output
// channels, [taps][3], so that one tap's three weights are 12 consecutive bytes.

/**
 * w holds PyTorch weights [K][M][kh][kw]. Forward (transpose = 0): the outputs are the K filters
 * and the taps (m, ky, kx). Transpose (transpose = 1): W^T of a stride-1 layer is the
 * correlation of the code with the filters flipped in both axes and the channel roles swapped,
 * so the outputs are the M channels and the taps (k, ky, kx) take w[k][m][kh-1-ky][kw-1-kx].
 * Channels past the last are zero.
 */
export function f32_pack_conv2d_3_scalar(w: usize, K: i32, M: i32, kh: i32, kw: i32, transpose: i32, packed: usize): void {
  const O = transpose ? M : K;
  const C = transpose ? K : M;
  const taps = C * kh * kw;
  const blocks = (O + 2) / 3;
  for (let blk = 0; blk < blocks; blk++) {
    for (let r = 0; r < 3; r++) {
      const o = blk * 3 + r;
      for (let c = 0; c < C; c++) {
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const t = (c * kh + ky) * kw + kx;
            let v: f32 = 0;
            if (o < O) {
              v = transpose
                ? load<f32>(w + (<usize>(((c * M + o) * kh + (kh - 1 - ky)) * kw + (kw - 1 - kx)) << 2))
                : load<f32>(w + (<usize>(((o * M + c) * kh + ky) * kw + kx) << 2));
            }
            store<f32>(packed + (<usize>((blk * taps + t) * 3 + r) << 2), v);
          }
        }
      }
    }
  }
}
