// Weights for f32-conv2d-transpose-sparse-3x3c4-simd: filter k's taps channel-last with the
// channels padded to 4, w4[K][kh][kw][4] (channels past M zero), so each tap is one f32x4.

/** w[K][M][kh][kw] (M <= 4) -> w4[K][kh][kw][4]. */
export function f32_pack_conv2d_transpose_c4_scalar(w: usize, K: i32, M: i32, kh: i32, kw: i32, w4: usize): void {
  for (let k = 0; k < K; k++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const dst = w4 + (<usize>(((k * kh + ky) * kw + kx) * 4) << 2);
        for (let m = 0; m < 4; m++) {
          const v = m < M ? load<f32>(w + (<usize>(((k * M + m) * kh + ky) * kw + kx) << 2)) : <f32>0;
          store<f32>(dst + (<usize>m << 2), v);
        }
      }
    }
  }
}
