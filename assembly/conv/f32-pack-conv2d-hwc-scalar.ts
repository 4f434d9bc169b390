// Channel-last filters [K][kh][kw][M], once per change of weights: read by the sparse axpy kernel
// and packed further into the transposed panels.

/**
 * Channel-last rows: w[k][m][ky][kx] -> wcl[k][ky][kx][m]. In a channel-last accumulator one
 * filter row (fixed k, ky) is then a single contiguous run of kw*M floats, which is what the
 * sparse transposed convolution adds per non-zero.
 */
export function f32_pack_conv2d_hwc_scalar(w: usize, K: i32, M: i32, kh: i32, kw: i32, wcl: usize): void {
  const taps = M * kh * kw;
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const src = w + (<usize>(k * taps + (m * kh + ky) * kw + kx) << 2);
          const dst = wcl + (<usize>(k * taps + (ky * kw + kx) * M + m) << 2);
          store<f32>(dst, load<f32>(src));
        }
      }
    }
  }
}
