// The input offset of every filter tap (m, ky, kx) in a padded channel-first input: how the
// forward kernels find a pixel's receptive field whatever the stride and padding.

/**
 * Byte offset of every filter tap (m, ky, kx), in f32_pack_conv2d_8_scalar's order, relative to the
 * top-left tap in the padded input xp[M][Hp][Wp]: the micro-kernel's flat reduction loop reads it.
 */
export function i32_conv2d_tap_offsets_scalar(M: i32, kh: i32, kw: i32, Hp: i32, Wp: i32, out: usize): void {
  let t = 0;
  for (let m = 0; m < M; m++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        store<i32>(out + (<usize>t << 2), ((m * Hp + ky) * Wp + kx) << 2);
        t++;
      }
    }
  }
}
