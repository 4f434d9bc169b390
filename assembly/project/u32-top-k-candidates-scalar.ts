// Step two of M(h, k), part two: the blocks of the bucket that holds the k-th largest magnitude
// (the histogram's), listed in ascending order, one range of blocks per thread, each at the start
// of its own part of the list (the facade closes the gaps: the count of each is its histogram's).

/** Writes to out the blocks i in [begin, end) with mag bits >>> 20 == bucket, ascending; returns how many. */
export function u32_top_k_candidates_scalar(mag: usize, begin: i32, end: i32, bucket: u32, out: usize): i32 {
  let n = 0;
  // Without branches: which blocks fall in the bucket is unpredictable.
  for (let i = begin; i < end; i++) {
    store<i32>(out + (<usize>n << 2), i);
    n += i32(load<u32>(mag + (<usize>i << 2)) >>> 20 == bucket);
  }
  return n;
}
