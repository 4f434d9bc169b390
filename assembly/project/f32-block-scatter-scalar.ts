// Step three of M(h, k): list the kept block winners' positions in ascending order, with their
// values, and write them into a dense, zeroed code when the caller keeps one.

/**
 * support receives the flat indices blockIdx[b] of the selected blocks b in sel, in ascending
 * order, and values (when not 0) their values blockVal[b] in the same order. When z is not 0,
 * z (length n) is zeroed, then z[blockIdx[b]] = blockVal[b]: NIHT keeps its code sparse and
 * passes 0, so that a projection writes no dense vector. The blocks are those of
 * f32_block_max_scalar over maps of Ho x Wo in ph x pw blocks (ceil mode), and sel lists them in
 * ascending block order, so the winners of one row of blocks lie in its ph rows of pixels, in
 * column order within each: the support is that row of blocks' winners taken pixel row by pixel
 * row, without sorting (one pass for blocks of 1 or 2 rows, ph passes over the run otherwise).
 */
export function f32_block_scatter_scalar(
  sel: usize, count: i32, blockVal: usize, blockIdx: usize,
  z: usize, n: i32, support: usize, values: usize, Ho: i32, Wo: i32, ph: i32, pw: i32,
): void {
  if (z != 0) memory.fill(z, 0, <usize>n << 2);
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
        emit(load<i32>(blockIdx + (<usize>b << 2)), load<f32>(blockVal + (<usize>b << 2)), out, z, support, values);
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
        const top = idx < mid;
        emit(idx, load<f32>(blockVal + (<usize>b << 2)), top ? front : back, z, support, values);
        front += i32(top);
        back -= i32(!top);
      }
      for (let a = front, c = out + (end - j) - 1; a < c; a++, c--) {
        const t = load<i32>(support + (<usize>a << 2));
        store<i32>(support + (<usize>a << 2), load<i32>(support + (<usize>c << 2)));
        store<i32>(support + (<usize>c << 2), t);
        if (values != 0) {
          const v = load<f32>(values + (<usize>a << 2));
          store<f32>(values + (<usize>a << 2), load<f32>(values + (<usize>c << 2)));
          store<f32>(values + (<usize>c << 2), v);
        }
      }
      out += end - j;
    } else {
      for (let dy = 0; dy < rows; dy++, lo += Wo) {
        const hi = lo + Wo;
        for (let i = j; i < end; i++) {
          const b = load<i32>(sel + (<usize>i << 2));
          const idx = load<i32>(blockIdx + (<usize>b << 2));
          if (idx < lo || idx >= hi) continue;
          emit(idx, load<f32>(blockVal + (<usize>b << 2)), out, z, support, values);
          out++;
        }
      }
    }
    j = end;
  }
}

/** The winner at flat index idx with value v goes to slot `at` of the support (and values) and into z. */
// @ts-ignore: decorator
@inline
function emit(idx: i32, v: f32, at: i32, z: usize, support: usize, values: usize): void {
  store<i32>(support + (<usize>at << 2), idx);
  if (values != 0) store<f32>(values + (<usize>at << 2), v);
  if (z != 0) store<f32>(z + (<usize>idx << 2), v);
}
