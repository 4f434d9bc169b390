// Step three of M(h, k): write the kept block winners into a dense, zeroed code and list its
// support in ascending order.

/**
 * z (length n) is zeroed, then z[blockIdx[b]] = blockVal[b] for each selected block b in sel;
 * support receives the flat indices in ascending order. The blocks are those of
 * f32_block_max_scalar over maps of Ho x Wo in ph x pw blocks (ceil mode), and sel lists them in
 * ascending block order, so the winners of one row of blocks lie in its ph rows of pixels, in
 * column order within each: the support is that row of blocks' winners taken pixel row by pixel
 * row, without sorting (one pass for blocks of 1 or 2 rows, ph passes over the run otherwise).
 */
export function f32_block_scatter_scalar(
  sel: usize, count: i32, blockVal: usize, blockIdx: usize,
  z: usize, n: i32, support: usize, Ho: i32, Wo: i32, ph: i32, pw: i32,
): void {
  memory.fill(z, 0, <usize>n << 2);
  const Bw = (Wo + pw - 1) / pw;
  const Bh = (Ho + ph - 1) / ph;
  let out = 0;
  let j = 0;
  while (j < count) {
    // the run of selected blocks in the same row of blocks (same map k, same by)
    const row = load<i32>(sel + (<usize>j << 2)) / Bw;
    const rowEnd = (row + 1) * Bw;
    let end = j + 1;
    while (end < count && load<i32>(sel + (<usize>end << 2)) < rowEnd) end++;
    const k = row / Bh;
    let lo = (k * Ho + (row - k * Bh) * ph) * Wo; // first flat index of the row of blocks' first pixel row
    const rows = min(ph, Ho - (row - k * Bh) * ph);
    if (rows == 1) {
      for (let i = j; i < end; i++) {
        const b = load<i32>(sel + (<usize>i << 2));
        const idx = load<i32>(blockIdx + (<usize>b << 2));
        store<f32>(z + (<usize>idx << 2), load<f32>(blockVal + (<usize>b << 2)));
        store<i32>(support + (<usize>out << 2), idx);
        out++;
      }
    } else if (rows == 2) {
      // One pass: first-row winners fill the run's slots from the front, second-row winners from
      // the back (a select, not a branch: which row wins is unpredictable); then the back part,
      // written in descending order, is reversed.
      const mid = lo + Wo;
      let front = out, back = out + (end - j) - 1;
      for (let i = j; i < end; i++) {
        const b = load<i32>(sel + (<usize>i << 2));
        const idx = load<i32>(blockIdx + (<usize>b << 2));
        store<f32>(z + (<usize>idx << 2), load<f32>(blockVal + (<usize>b << 2)));
        const top = idx < mid;
        store<i32>(support + (<usize>(top ? front : back) << 2), idx);
        front += i32(top);
        back -= i32(!top);
      }
      for (let a = front, c = out + (end - j) - 1; a < c; a++, c--) {
        const t = load<i32>(support + (<usize>a << 2));
        store<i32>(support + (<usize>a << 2), load<i32>(support + (<usize>c << 2)));
        store<i32>(support + (<usize>c << 2), t);
      }
      out += end - j;
    } else {
      for (let dy = 0; dy < rows; dy++, lo += Wo) {
        const hi = lo + Wo;
        for (let i = j; i < end; i++) {
          const b = load<i32>(sel + (<usize>i << 2));
          const idx = load<i32>(blockIdx + (<usize>b << 2));
          if (idx < lo || idx >= hi) continue;
          store<f32>(z + (<usize>idx << 2), load<f32>(blockVal + (<usize>b << 2)));
          store<i32>(support + (<usize>out << 2), idx);
          out++;
        }
      }
    }
    j = end;
  }
}
