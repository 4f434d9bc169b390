// Regrouping a sparse code by block of filters and code pixel, step one of three: count each
// bucket's entries. A sparse code comes as flat indices k*P + p into z[K][P] with values; its
// bucket is (k >> kbShift) * P + p. The sparse transposed GEMM then visits, for each block of
// 2^kbShift filters, each pixel once per column panel and finds all of its non-zero filters of
// the block together, while that block of panel rows stays in L1
// (f32_conv2d_transpose_sparse_1x24_kblock_simd); kbShift >= 31 gives one block (bucket p).
// The three steps are a stable counting sort, O(nnz + buckets), that threads split by ranges of
// entries: each range counts into its own counters (step one), the offsets give each range its
// own cursors (step two, i32-sparse-code-offsets-scalar), and each range places its own entries
// (step three, i32-sparse-code-place-scalar), in the order of one pass over all of them. A code
// whose indices never decrease (a support, as cs.project and the algorithms give) is placed by
// ranges of pixels instead (i32-sparse-code-place-ascending-scalar), which writes each range's
// part of the pairs while it is in cache.
//
// k = flat / P is carried from one entry to the next and only recomputed (an i32 division, the
// slowest instruction in the loop) when an entry leaves the current channel's range: once per
// channel for a support in ascending order, as cs.project returns it, instead of once per entry.

/**
 * counts[b] (buckets ints, zeroed here) = the number of entries j in [j0, j1) in bucket b; stores
 * at `ascending` 1 when those entries' indices never decrease (as a support does), else 0.
 */
export function i32_sparse_code_count_scalar(
  idx: usize, j0: i32, j1: i32, P: i32, kbShift: i32, buckets: i32, counts: usize, ascending: usize,
): void {
  memory.fill(counts, 0, <usize>buckets << 2);
  // Per channel k (entries flat in [lo, lo + P)): the entry's counter is at
  // slots + flat * 4, slots = counts + ((k >> kbShift) * P - lo) * 4 (wrapping arithmetic; the
  // sum is in range).
  let lo = 0;
  let slots: usize = counts;
  let prev = -1;
  let descents = 0;
  for (let j = j0; j < j1; j++) {
    const flat = load<i32>(idx + (<usize>j << 2));
    descents |= i32(flat < prev);
    prev = flat;
    if (flat < lo || flat - lo >= P) {
      const k = flat / P;
      lo = k * P;
      slots = counts + (<usize>((k >> kbShift) * P - lo) << 2);
    }
    const slot = slots + (<usize>flat << 2);
    store<i32>(slot, load<i32>(slot) + 1);
  }
  store<i32>(ascending, descents ^ 1);
}
