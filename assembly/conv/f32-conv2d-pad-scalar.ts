// Zero-padded copies between the caller's channel-first layout and the kernels' scratch layouts.
// Padding once per call keeps every convolution inner loop free of bounds checks.

/**
 * Copy x[M][H][W] into xp[M][Hp][Wp] with `padTop` rows and `padLeft` columns of zeros in front.
 * Every element of xp is written (zeros included), so xp needs no prior clearing.
 */
export function f32_pad2d_chw(
  x: usize, xp: usize,
  M: i32, H: i32, W: i32,
  Hp: i32, Wp: i32, padTop: i32, padLeft: i32,
): void {
  const planeP = <usize>(Hp * Wp) << 2;
  memory.fill(xp, 0, planeP * <usize>M);
  for (let m = 0; m < M; m++) {
    const src = x + (<usize>(m * H * W) << 2);
    const dst = xp + <usize>m * planeP + (<usize>(padTop * Wp + padLeft) << 2);
    for (let y = 0; y < H; y++) {
      memory.copy(dst + (<usize>(y * Wp) << 2), src + (<usize>(y * W) << 2), <usize>W << 2);
    }
  }
}

/** Copy the interior of a padded channel-first buffer xp[M][Hp][Wp] back into x[M][H][W]. */
export function f32_crop2d_chw(
  xp: usize, x: usize,
  M: i32, H: i32, W: i32,
  Hp: i32, Wp: i32, padTop: i32, padLeft: i32,
): void {
  const planeP = <usize>(Hp * Wp) << 2;
  for (let m = 0; m < M; m++) {
    const dst = x + (<usize>(m * H * W) << 2);
    const src = xp + <usize>m * planeP + (<usize>(padTop * Wp + padLeft) << 2);
    for (let y = 0; y < H; y++) {
      memory.copy(dst + (<usize>(y * W) << 2), src + (<usize>(y * Wp) << 2), <usize>W << 2);
    }
  }
}

/**
 * Copy the interior of a padded channel-last buffer xc[Hp][Wp][M] into channel-first x[M][H][W].
 * The SIMD transposed convolutions accumulate channel-last so that a filter tap touches one
 * contiguous run of kw*M floats; this turns the result back into the caller's layout.
 */
export function f32_crop2d_hwc_to_chw(
  xc: usize, x: usize,
  M: i32, H: i32, W: i32,
  Wp: i32, padTop: i32, padLeft: i32,
): void {
  for (let y = 0; y < H; y++) {
    const row = xc + (<usize>(((y + padTop) * Wp + padLeft) * M) << 2);
    for (let xx = 0; xx < W; xx++) {
      const px = row + (<usize>(xx * M) << 2);
      let dst = x + (<usize>(y * W + xx) << 2);
      const planeStride = <usize>(H * W) << 2;
      for (let m = 0; m < M; m++) {
        store<f32>(dst, load<f32>(px + (<usize>m << 2)));
        dst += planeStride;
      }
    }
  }
}
