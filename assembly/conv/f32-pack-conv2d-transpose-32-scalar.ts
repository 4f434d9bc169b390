// Transposed panels of 32 columns for f32-conv2d-transpose-sparse-1x32-simd.

/**
 * Sparse transposed-GEMM panels: for each group of 32 channel-last columns, [K][32] (columns
 * padded with zeros up to a multiple of 32). One filter's 32 columns are one 128-byte row, read
 * with immediate offsets by the 1x32 micro-kernel.
 */
export function f32_pack_conv2d_transpose_32_scalar(wcl: usize, K: i32, L: i32, packed: usize): void {
  const groups = (L + 31) >> 5;
  memory.fill(packed, 0, <usize>(groups * K * 32) << 2);
  for (let k = 0; k < K; k++) {
    const src = wcl + (<usize>(k * L) << 2);
    for (let c = 0; c < L; c++) {
      const dst = packed + (<usize>(((c >> 5) * K + k) * 32 + (c & 31)) << 2);
      store<f32>(dst, load<f32>(src + (<usize>c << 2)));
    }
  }
}
