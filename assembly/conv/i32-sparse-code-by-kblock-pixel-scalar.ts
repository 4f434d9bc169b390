// Regroups a sparse code, given as flat indices k*P + p into z[K][P] with values, by block of
// filters and code pixel: bucket (k >> kbShift) * P + p, a counting sort, O(nnz + buckets). The
// sparse transposed GEMM then visits, for each block of 2^kbShift filters, each pixel once per
// column panel and finds all of its non-zero filters of the block together, while that block of
// panel rows stays in L1 (f32_conv2d_transpose_sparse_1x24_kblock_simd). kbShift >= 31 gives one
// block (bucket p). Within a bucket the entries keep their input order (ascending k for a
// support in ascending order). Each entry is written as one (k * rowBytes: i32, v: f32) pair, 8
// bytes: the byte offset of the filter's row in a column panel, so the kernel adds it to the
// panel's base without a multiply, and one stream to read instead of two; pairs also halve the
// lines that the placement pass, which writes to many places at once, touches.
//
// k = flat / P is carried from one entry to the next and only recomputed (an i32 division, the
// slowest instruction in the loop) when an entry leaves the current channel's range: once per
// channel for a support in ascending order, as cs.project returns it, instead of once per entry.

/**
 * rowStart (buckets + 1 ints, buckets = ((K - 1) >> kbShift) + 1 blocks times P) delimits
 * bucket b's pairs in kv (nnz pairs): [rowStart[b], rowStart[b+1]).
 */
export function i32_sparse_code_by_kblock_pixel_scalar(
  idx: usize, val: usize, nnz: i32, P: i32, buckets: i32, kbShift: i32, rowBytes: i32,
  rowStart: usize, kv: usize,
): void {
  memory.fill(rowStart, 0, <usize>(buckets + 1) << 2);
  // Per channel k (entries flat in [lo, lo + P)): the entry's counter is at
  // slots + flat * 4, slots = rowStart + ((k >> kbShift) * P - lo + 1) * 4 (wrapping arithmetic;
  // the sum is in range).
  let lo = 0;
  let slots: usize = rowStart + 4;
  for (let j = 0; j < nnz; j++) {
    const flat = load<i32>(idx + (<usize>j << 2));
    if (flat < lo || flat - lo >= P) {
      const k = flat / P;
      lo = k * P;
      slots = rowStart + (<usize>((k >> kbShift) * P - lo + 1) << 2);
    }
    const slot = slots + (<usize>flat << 2);
    store<i32>(slot, load<i32>(slot) + 1);
  }
  for (let b = 0; b < buckets; b++) {
    const slot = rowStart + (<usize>(b + 1) << 2);
    store<i32>(slot, load<i32>(slot) + load<i32>(slot - 4));
  }
  // Place entries, advancing rowStart[b] as a cursor; afterwards rowStart[b] holds the end of
  // bucket b, so shift back by one slot to restore the starts.
  lo = 0;
  let cursors: usize = rowStart;
  let rowOff = 0;
  for (let j = 0; j < nnz; j++) {
    const flat = load<i32>(idx + (<usize>j << 2));
    if (flat < lo || flat - lo >= P) {
      const k = flat / P;
      lo = k * P;
      cursors = rowStart + (<usize>((k >> kbShift) * P - lo) << 2);
      rowOff = k * rowBytes;
    }
    const cursor = cursors + (<usize>flat << 2);
    const at = load<i32>(cursor);
    const pair = kv + (<usize>at << 3);
    store<i32>(pair, rowOff);
    store<f32>(pair, load<f32>(val + (<usize>j << 2)), 4);
    store<i32>(cursor, at + 1);
  }
  for (let b = buckets; b > 0; b--) {
    store<i32>(rowStart + (<usize>b << 2), load<i32>(rowStart + (<usize>(b - 1) << 2)));
  }
  store<i32>(rowStart, 0);
}
