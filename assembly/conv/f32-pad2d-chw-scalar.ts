// Zero-padded copy of a channel-first input into the kernels' scratch: padding once per call
// keeps every convolution inner loop free of bounds checks.

/**
 * Copy x[M][H][W] into xp[M][Hp][Wp] with `padTop` rows and `padLeft` columns of zeros in front.
 * Every element of xp is written once (zeros included), so xp needs no prior clearing: only the
 * border is zeroed, not the whole plane before the copy (on a wide code that halves the bytes
 * written).
 */
export function f32_pad2d_chw_scalar(
  x: usize, xp: usize,
  M: i32, H: i32, W: i32,
  Hp: i32, Wp: i32, padTop: i32, padLeft: i32,
): void {
  const planeP = <usize>(Hp * Wp) << 2;
  const rowBytes = <usize>W << 2;
  // from the end of one row's data to the start of the next's: its right and the next's left pad
  const gapBytes = <usize>(Wp - W) << 2;
  for (let m = 0; m < M; m++) {
    const plane = xp + <usize>m * planeP;
    let src = x + (<usize>(m * H * W) << 2);
    // the top rows and the first row's left pad
    let d = plane + (<usize>(padTop * Wp + padLeft) << 2);
    zero(plane, d - plane);
    for (let y = 0; y < H; y++) {
      memory.copy(d, src, rowBytes);
      d += rowBytes;
      src += rowBytes;
      if (y + 1 < H) {
        zero(d, gapBytes);
        d += gapBytes;
      }
    }
    // the last row's right pad and the bottom rows
    zero(d, plane + planeP - d);
  }
}

/** bytes (a multiple of 4) of zeros at p: a loop for the few floats between rows */
// @ts-ignore: decorator
@inline
function zero(p: usize, bytes: usize): void {
  if (bytes >= 64) {
    memory.fill(p, 0, bytes);
    return;
  }
  for (let q = p; q < p + bytes; q += 4) store<u32>(q, 0);
}
