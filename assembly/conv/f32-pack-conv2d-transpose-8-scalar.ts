// Transposed panels of 8 columns for f32-conv2d-transpose-4x8-simd, once per change of weights.

/**
 * Transposed-GEMM panels over the channel-last columns c = (ky*kw + kx)*M + m: for each block of
 * 8 columns, [K][8] (columns padded with zeros up to a multiple of 8).
 */
export function f32_pack_conv2d_transpose_8_scalar(wcl: usize, K: i32, L: i32, packed: usize): void {
  const blocks = (L + 7) >> 3;
  memory.fill(packed, 0, <usize>(blocks * K * 8) << 2);
  for (let k = 0; k < K; k++) {
    const src = wcl + (<usize>(k * L) << 2);
    for (let c = 0; c < L; c++) {
      const dst = packed + (<usize>(((c >> 3) * K + k) * 8 + (c & 7)) << 2);
      store<f32>(dst, load<f32>(src + (<usize>c << 2)));
    }
  }
}
