// Which code pixels of a transposed convolution can reach the cropped output through a group of
// columns: shared by the sparse transpose kernels, which skip the pixels whose contributions
// would all land in the padding that the crop throws away.

/**
 * Columns c0 .. c1-1 of the channel-last filter row (column c is tap t = c / M, t = ky*kw + kx)
 * add into output rows oy*sh + ky and columns ox*sw + kx of the padded accumulator, of which
 * [pt, pt + H) x [pl, pl + W) survives the crop. Writes the code rectangle [oyStart, oyEnd) x
 * [oxStart, oxEnd) of pixels that can reach it as four i32 at dst (empty: start >= end).
 */
// @ts-ignore: decorator
@inline
export function i32_transpose_visited_rect(
  c0: i32, c1: i32, M: i32, kw: i32, pt: i32, pl: i32, H: i32, W: i32,
  sh: i32, sw: i32, Ho: i32, Wo: i32, dst: usize,
): void {
  // The taps of the group's columns, and the range of ky and kx they span.
  const t0 = c0 / M;
  const t1 = (c1 - 1) / M;
  const ky0 = t0 / kw;
  const ky1 = t1 / kw;
  let kx0 = 0;
  let kx1 = kw - 1;
  if (ky0 == ky1) {
    kx0 = t0 - ky0 * kw;
    kx1 = t1 - ky1 * kw;
  }
  // Code rows oy with oy*sh + ky inside [pt, pt + H) for some ky in [ky0, ky1]; columns alike.
  const yTop = pt + H - 1 - ky0;
  const xTop = pl + W - 1 - kx0;
  let oyStart = 0, oyEnd = 0, oxStart = 0, oxEnd = 0;
  if (yTop >= 0 && xTop >= 0) {
    oyEnd = min(Ho, yTop / sh + 1);
    oxEnd = min(Wo, xTop / sw + 1);
    oyStart = pt - ky1 <= 0 ? 0 : (pt - ky1 + sh - 1) / sh;
    oxStart = pl - kx1 <= 0 ? 0 : (pl - kx1 + sw - 1) / sw;
  }
  store<i32>(dst, oyStart); store<i32>(dst, oyEnd, 4);
  store<i32>(dst, oxStart, 8); store<i32>(dst, oxEnd, 12);
}
