// Step two of M(h, k): keep the k blocks of largest magnitude, in O(B) time and without
// sorting. Magnitudes are non-negative floats, whose IEEE bit patterns order like unsigned
// integers, so a most-significant-digit-first radix select over 8-bit digits finds the k-th
// largest value exactly in four histogram passes. Ties at that value go to the lowest block
// index, which makes the selection deterministic.

/**
 * mag: B non-negative f32 (read as u32 bits). Writes the indices of the chosen blocks, in
 * ascending order, to sel and returns how many were chosen: min(k, B).
 * hist: scratch for 1024 u32 counters.
 *
 * Only the first digit is counted over all B entries, into four interleaved histograms: the top
 * byte of a magnitude is mostly its exponent, so a single histogram would increment the same
 * few counters back to back, one store-to-load dependency after another. The entries whose top
 * byte matches are then listed (in sel, as scratch), and the three lower digits count only
 * those, which are usually a small fraction of B. Same prefix, same selection as counting every
 * digit over all entries.
 */
export function u32_top_k_radix_scalar(mag: usize, B: i32, k: i32, hist: usize, sel: usize): i32 {
  if (k <= 0 || B <= 0) return 0;
  if (k >= B) {
    for (let i = 0; i < B; i++) store<i32>(sel + (<usize>i << 2), i);
    return B;
  }
  // Digit 1 (bits 24..31) over everything.
  memory.fill(hist, 0, 1024 * 4);
  for (let i = 0; i < B; i++) {
    const d = ((<usize>(i & 3) << 8) + <usize>(load<u32>(mag + (<usize>i << 2)) >>> 24)) << 2;
    store<u32>(hist + d, load<u32>(hist + d) + 1);
  }
  for (let d = 0; d < 256; d++) {
    const a = hist + (<usize>d << 2);
    store<u32>(a, load<u32>(a) + load<u32>(a, 1024) + load<u32>(a, 2048) + load<u32>(a, 3072));
  }
  let remaining: u32 = <u32>k; // how many we still need from entries matching prefix
  let digit = 255;
  for (; digit > 0; digit--) {
    const c = load<u32>(hist + (<usize>digit << 2));
    if (c >= remaining) break;
    remaining -= c;
  }
  let prefix: u32 = (<u32>digit) << 24;
  let mask: u32 = 0xFF000000;
  // The candidates: entries with that top byte.
  let n = 0;
  for (let i = 0; i < B; i++) {
    store<i32>(sel + (<usize>n << 2), i);
    n += i32((load<u32>(mag + (<usize>i << 2)) & mask) == prefix);
  }
  // Digits 2..4 over the candidates, narrowing the list in place.
  for (let shift = 16; shift >= 0; shift -= 8) {
    memory.fill(hist, 0, 256 * 4);
    for (let j = 0; j < n; j++) {
      const bits = load<u32>(mag + (<usize>load<i32>(sel + (<usize>j << 2)) << 2));
      const d = <usize>((bits >>> shift) & 255) << 2;
      store<u32>(hist + d, load<u32>(hist + d) + 1);
    }
    digit = 255;
    for (; digit > 0; digit--) {
      const c = load<u32>(hist + (<usize>digit << 2));
      if (c >= remaining) break;
      remaining -= c;
    }
    prefix |= (<u32>digit) << shift;
    mask |= (<u32>255) << shift;
    let m = 0;
    for (let j = 0; j < n; j++) {
      const i = load<i32>(sel + (<usize>j << 2));
      store<i32>(sel + (<usize>m << 2), i);
      m += i32((load<u32>(mag + (<usize>i << 2)) & mask) == prefix);
    }
    n = m;
  }
  // prefix is now the bit pattern of the k-th largest magnitude; `remaining` of the entries
  // equal to it are taken, lowest indices first, and every larger one is taken.
  n = 0;
  let equalLeft = remaining;
  // Without branches: whether an entry is taken is as unpredictable as the magnitudes.
  for (let i = 0; i < B; i++) {
    const bits = load<u32>(mag + (<usize>i << 2));
    const tie = i32(bits == prefix) & i32(equalLeft > 0);
    store<i32>(sel + (<usize>n << 2), i);
    n += i32(bits > prefix) | tie;
    equalLeft -= <u32>tie;
  }
  return n;
}
