// The accumulator offset of every transposed-panel column, for the dense and sparse transposes.

/**
 * For each transposed-GEMM column c = (ky*kw + kx)*M + m, its float offset in the channel-last
 * padded accumulator relative to the pixel's top-left tap: ky*Wp*M + kx*M + m. Columns past L
 * (the zero padding of the last panel) get -1 so the scatter skips them.
 */
export function i32_conv2d_transpose_offsets_scalar(M: i32, kh: i32, kw: i32, Wp: i32, colOff: usize, Lpad: i32): void {
  const run = kw * M;
  const L = kh * run;
  for (let c = 0; c < Lpad; c++) {
    let o = -1;
    if (c < L) {
      const ky = c / run;
      o = ky * Wp * M + (c - ky * run);
    }
    store<i32>(colOff + (<usize>c << 2), o);
  }
}
