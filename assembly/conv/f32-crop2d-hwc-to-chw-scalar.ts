// The interior of a padded channel-last accumulator into the caller's channel-first layout: the
// reference of f32-crop2d-hwc-to-chw-4x4-simd.

/**
 * Copy the interior of a padded channel-last buffer xc[Hp][Wp][C] (C >= M floats per pixel, of
 * which the first M are channels) into channel-first x[M][H][W].
 * The SIMD transposed convolutions accumulate channel-last so that a filter tap touches one
 * contiguous run of kw*M floats; this turns the result back into the caller's layout.
 */
export function f32_crop2d_hwc_to_chw_scalar(
  xc: usize, x: usize,
  M: i32, C: i32, H: i32, W: i32,
  Wp: i32, padTop: i32, padLeft: i32,
): void {
  for (let y = 0; y < H; y++) {
    const row = xc + (<usize>(((y + padTop) * Wp + padLeft) * C) << 2);
    for (let xx = 0; xx < W; xx++) {
      const px = row + (<usize>(xx * C) << 2);
      let dst = x + (<usize>(y * W + xx) << 2);
      const planeStride = <usize>(H * W) << 2;
      for (let m = 0; m < M; m++) {
        store<f32>(dst, load<f32>(px + (<usize>m << 2)));
        dst += planeStride;
      }
    }
  }
}
