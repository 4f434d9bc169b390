// Step two of M(h, k): keep the k blocks of largest magnitude, in O(B) time and without
// sorting. Magnitudes are non-negative floats, whose IEEE bit patterns order like unsigned
// integers, so a most-significant-digit-first radix select over 8-bit digits finds the k-th
// largest value exactly in four histogram passes. Ties at that value go to the lowest block
// index, which makes the selection deterministic.

/**
 * mag: B non-negative f32 (read as u32 bits). Writes the indices of the chosen blocks, in
 * ascending order, to sel and returns how many were chosen: min(k, B).
 * hist: scratch for 256 u32 counters.
 */
export function u32_top_k_radix_scalar(mag: usize, B: i32, k: i32, hist: usize, sel: usize): i32 {
  if (k <= 0 || B <= 0) return 0;
  if (k >= B) {
    for (let i = 0; i < B; i++) store<i32>(sel + (<usize>i << 2), i);
    return B;
  }
  let prefix: u32 = 0;
  let mask: u32 = 0;
  let remaining: u32 = <u32>k; // how many we still need from entries matching prefix
  for (let shift = 24; shift >= 0; shift -= 8) {
    memory.fill(hist, 0, 256 * 4);
    for (let i = 0; i < B; i++) {
      const bits = load<u32>(mag + (<usize>i << 2));
      if ((bits & mask) == prefix) {
        const d = <usize>((bits >>> shift) & 255) << 2;
        store<u32>(hist + d, load<u32>(hist + d) + 1);
      }
    }
    let digit = 255;
    for (; digit > 0; digit--) {
      const c = load<u32>(hist + (<usize>digit << 2));
      if (c >= remaining) break;
      remaining -= c;
    }
    prefix |= (<u32>digit) << shift;
    mask |= (<u32>255) << shift;
  }
  // prefix is now the bit pattern of the k-th largest magnitude; `remaining` of the entries
  // equal to it are taken, lowest indices first, and every larger one is taken.
  let n = 0;
  let equalLeft = remaining;
  for (let i = 0; i < B; i++) {
    const bits = load<u32>(mag + (<usize>i << 2));
    let take = bits > prefix;
    if (!take && bits == prefix && equalLeft > 0) {
      take = true;
      equalLeft--;
    }
    if (take) {
      store<i32>(sel + (<usize>n << 2), i);
      n++;
    }
  }
  return n;
}
