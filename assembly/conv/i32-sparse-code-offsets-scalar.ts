// Regrouping a sparse code by block of filters and code pixel, step two of three (see
// i32-sparse-code-count-scalar): from the counts of each range of entries, where each bucket
// starts, and where each range places its first entry of each bucket.

/**
 * counts: `parts` arrays of `buckets` counters, one per range of entries, in entry order.
 * rowStart (buckets + 1 ints) receives each bucket's start, the entries of bucket b lying in
 * [rowStart[b], rowStart[b + 1]); each counts[t][b] becomes range t's cursor in bucket b: the
 * start plus the entries of the earlier ranges, so that within a bucket the entries keep their
 * order in the code.
 */
export function i32_sparse_code_offsets_scalar(counts: usize, parts: i32, buckets: i32, rowStart: usize): void {
  const stride = <usize>buckets << 2;
  let at = 0;
  for (let b = 0; b < buckets; b++) {
    store<i32>(rowStart + (<usize>b << 2), at);
    let slot = counts + (<usize>b << 2);
    for (let t = 0; t < parts; t++, slot += stride) {
      const c = load<i32>(slot);
      store<i32>(slot, at);
      at += c;
    }
  }
  store<i32>(rowStart + stride, at);
}
