// Step two of M(h, k), the k strongest blocks, part one: a histogram of the magnitudes' top 12
// bits. Magnitudes are non-negative floats, whose bit patterns order like unsigned integers, and
// the top 12 bits are the exponent and three mantissa bits: buckets an eighth of an octave wide,
// so that the bucket holding the k-th largest value usually holds a small fraction of the blocks.
// Each thread counts its own range of blocks into its own histogram; counts add up exactly.

/** hist[0..4096) = the number of blocks in [begin, end) whose magnitude's bits >>> 20 are each value. */
export function u32_top_k_histogram_scalar(mag: usize, begin: i32, end: i32, hist: usize): void {
  memory.fill(hist, 0, 4096 * 4);
  for (let i = begin; i < end; i++) {
    const d = <usize>(load<u32>(mag + (<usize>i << 2)) >>> 20) << 2;
    store<u32>(hist + d, load<u32>(hist + d) + 1);
  }
}
