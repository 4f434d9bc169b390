// Step two of M(h, k), part three, on the calling thread: among the candidates (the blocks of the
// k-th largest magnitude's bucket), the exact k-th largest bit pattern, by a radix select over the
// 20 bits the bucket leaves (two digits of 10 bits), narrowing the candidate list in place. Ties at
// that value go to the lowest block indices.

/**
 * cand: n ascending block indices whose magnitudes share their top 12 bits; `need` (1..n) of them
 * are to be taken, the largest first. hist: scratch for 1024 counters. Writes out[0] = the bit
 * pattern of the need-th largest magnitude among them (the threshold) and out[1] = the block
 * index of the last block equal to it that is taken (the ties taken are those of lowest index).
 */
export function u32_top_k_narrow_scalar(mag: usize, cand: usize, n: i32, need: i32, hist: usize, out: usize): void {
  let remaining = <u32>need;
  let prefix: u32 = load<u32>(mag + (<usize>load<i32>(cand) << 2)) & 0xFFF00000;
  let mask: u32 = 0xFFF00000;
  for (let shift = 10; shift >= 0; shift -= 10) {
    memory.fill(hist, 0, 1024 * 4);
    for (let j = 0; j < n; j++) {
      const bits = load<u32>(mag + (<usize>load<i32>(cand + (<usize>j << 2)) << 2));
      const d = <usize>((bits >>> shift) & 1023) << 2;
      store<u32>(hist + d, load<u32>(hist + d) + 1);
    }
    let digit = 1023;
    for (; digit > 0; digit--) {
      const c = load<u32>(hist + (<usize>digit << 2));
      if (c >= remaining) break;
      remaining -= c;
    }
    prefix |= (<u32>digit) << shift;
    mask |= (<u32>1023) << shift;
    let m = 0;
    for (let j = 0; j < n; j++) {
      const i = load<i32>(cand + (<usize>j << 2));
      store<i32>(cand + (<usize>m << 2), i);
      m += i32((load<u32>(mag + (<usize>i << 2)) & mask) == prefix);
    }
    n = m;
  }
  // cand[0..n) now lists the blocks equal to the threshold, ascending: the first `remaining` are taken.
  store<u32>(out, prefix);
  store<i32>(out, load<i32>(cand + (<usize>(remaining - 1) << 2)), 4);
}
