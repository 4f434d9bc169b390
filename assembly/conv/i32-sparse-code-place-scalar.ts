// Regrouping a sparse code by block of filters and code pixel, step three of three (see
// i32-sparse-code-count-scalar): each range of entries places its own entries at its cursors.
// Each entry is written as one (k * rowBytes: i32, v: f32) pair, 8 bytes: the byte offset of the
// filter's row in a column panel, so the kernel adds it to the panel's base without a multiply,
// and one stream to read instead of two; pairs also halve the lines that this pass, which writes
// to many places at once, touches.

import { placePair } from "../helpers/i32-sparse-code-place-pair";

/** The entries j in [j0, j1) into kv at their bucket's cursor (advanced); the cursors from i32_sparse_code_offsets_scalar. */
export function i32_sparse_code_place_scalar(
  idx: usize, val: usize, j0: i32, j1: i32, P: i32, kbShift: i32, rowBytes: i32, cursors: usize, kv: usize,
): void {
  let lo = 0;
  let slots: usize = cursors;
  let rowOff = 0;
  for (let j = j0; j < j1; j++) {
    const flat = load<i32>(idx + (<usize>j << 2));
    if (flat < lo || flat - lo >= P) {
      const k = flat / P;
      lo = k * P;
      slots = cursors + (<usize>((k >> kbShift) * P - lo) << 2);
      rowOff = k * rowBytes;
    }
    placePair(slots, flat, kv, rowOff, load<f32>(val + (<usize>j << 2)));
  }
}
