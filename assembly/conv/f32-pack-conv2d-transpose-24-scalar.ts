// Transposed panels of 24 columns for f32-conv2d-transpose-sparse-1x24-kblock-simd.

/**
 * Sparse transposed-GEMM panels of 24 columns: for each group of 24 channel-last columns,
 * [K][24] (columns padded with zeros up to a multiple of 24). One filter's 24 columns are one
 * 96-byte row, read with immediate offsets by the 1x24 micro-kernel.
 */
export function f32_pack_conv2d_transpose_24_scalar(wcl: usize, K: i32, L: i32, packed: usize): void {
  const groups = (L + 23) / 24;
  memory.fill(packed, 0, <usize>(groups * K * 24) << 2);
  for (let k = 0; k < K; k++) {
    const src = wcl + (<usize>(k * L) << 2);
    for (let c = 0; c < L; c++) {
      const g = c / 24;
      const dst = packed + (<usize>((g * K + k) * 24 + c - g * 24) << 2);
      store<f32>(dst, load<f32>(src + (<usize>c << 2)));
    }
  }
}
