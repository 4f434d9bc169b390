// Step two of M(h, k), part four: the chosen blocks of one range, in ascending order: every block
// above the threshold, and those equal to it up to the last tie taken. Each thread writes its own
// range's; the facade then closes the gaps between the ranges' lists.

/**
 * Writes to sel the blocks i in [begin, end) with bits > threshold, or == threshold and
 * i <= lastTie, ascending; stores how many at taken (a kernel run on a thread returns nothing).
 */
export function u32_top_k_select_scalar(mag: usize, begin: i32, end: i32, threshold: u32, lastTie: i32, sel: usize, taken: usize): void {
  let n = 0;
  // Without branches: whether a block is taken is as unpredictable as the magnitudes.
  for (let i = begin; i < end; i++) {
    const bits = load<u32>(mag + (<usize>i << 2));
    store<i32>(sel + (<usize>n << 2), i);
    n += i32(bits > threshold) | (i32(bits == threshold) & i32(i <= lastTie));
  }
  store<i32>(taken, n);
}
