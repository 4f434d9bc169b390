// Regrouping a sparse code by block of filters and code pixel, step three for a code whose indices
// never decrease (see i32-sparse-code-count-scalar). Such a code is a list of runs, one per
// filter k, each in pixel order, and its buckets are pixels: placing it entry by entry, as
// i32-sparse-code-place-scalar does, sweeps the whole array of pairs once per filter, one cache
// line per entry. Here the pixels are taken in tiles of PIXEL_TILE, and for each tile every
// filter's entries inside it (found by a binary search), so the writes of one tile stay within
// its part of the pairs. Each bucket still receives its entries in code order (ascending k), so
// the pairs are those of one pass; threads split the pixels, each writing only its own buckets.

import { placePair } from "../helpers/i32-sparse-code-place-pair";

const PIXEL_TILE = 1024;

/**
 * The entries of pixels [pBegin, pEnd) of every filter into kv at their bucket's cursor
 * (advanced). idx (nnz non-decreasing flat indices k * P + p into z[K][P]) and val; cursors as
 * from i32_sparse_code_offsets_scalar (the first range's, which start at each bucket's start).
 */
export function i32_sparse_code_place_ascending_scalar(
  idx: usize, val: usize, nnz: i32, K: i32, P: i32, kbShift: i32, rowBytes: i32, cursors: usize, kv: usize,
  pBegin: i32, pEnd: i32,
): void {
  for (let t0 = pBegin; t0 < pEnd; t0 += PIXEL_TILE) {
    const t1 = min(t0 + PIXEL_TILE, pEnd);
    for (let k = 0; k < K; k++) {
      const lo = k * P;
      const end = lo + t1;
      // the first entry at or after pixel t0 of filter k
      let a = 0, b = nnz;
      const first = lo + t0;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (load<i32>(idx + (<usize>mid << 2)) < first) a = mid + 1;
        else b = mid;
      }
      const slots = cursors + (<usize>((k >> kbShift) * P - lo) << 2);
      const rowOff = k * rowBytes;
      for (let j = a; j < nnz; j++) {
        const flat = load<i32>(idx + (<usize>j << 2));
        if (flat >= end) break;
        placePair(slots, flat, kv, rowOff, load<f32>(val + (<usize>j << 2)));
      }
    }
  }
}
