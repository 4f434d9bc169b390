// The interior of a padded channel-first buffer back into the caller's layout.

/** Copy the interior of a padded channel-first buffer xp[M][Hp][Wp] back into x[M][H][W]. */
export function f32_crop2d_chw_scalar(
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
