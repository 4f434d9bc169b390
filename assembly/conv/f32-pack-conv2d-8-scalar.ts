// Forward panels for f32-conv2d-4x8-simd, packed once per change of weights, so that the kernel
// streams its filters from contiguous memory in the order it consumes them.

/**
 * Forward panels: for each block of 8 output channels, [M][kh][kw][8] (channels padded with
 * zeros up to a multiple of 8). One 32-byte row feeds the two f32x4 weight registers of the
 * 4x8 micro-kernel at one filter tap.
 */
export function f32_pack_conv2d_8_scalar(w: usize, K: i32, taps: i32, packed: usize): void {
  const blocks = (K + 7) >> 3;
  memory.fill(packed, 0, <usize>(blocks * taps * 8) << 2);
  for (let k = 0; k < K; k++) {
    const blk = k >> 3;
    const lane = k & 7;
    const src = w + (<usize>(k * taps) << 2);
    const dst = packed + (<usize>(blk * taps * 8 + lane) << 2);
    for (let t = 0; t < taps; t++) {
      store<f32>(dst + (<usize>(t * 8) << 2), load<f32>(src + (<usize>t << 2)));
    }
  }
}
