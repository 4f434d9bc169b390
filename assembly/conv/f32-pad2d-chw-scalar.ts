// Zero-padded copy of a channel-first input into the kernels' scratch: padding once per call
// keeps every convolution inner loop free of bounds checks.

/**
 * Copy x[M][H][W] into xp[M][Hp][Wp] with `padTop` rows and `padLeft` columns of zeros in front.
 * Every element of xp is written (zeros included), so xp needs no prior clearing.
 */
export function f32_pad2d_chw_scalar(
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
