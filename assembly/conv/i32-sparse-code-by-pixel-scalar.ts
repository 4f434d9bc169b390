// Regroups a sparse code, given as flat indices k*P + p into z[K][P] with values, by code pixel
// p (a counting sort, O(nnz + P)): the sparse transposed GEMM then visits each pixel once per
// column panel and finds all of its non-zero filters together. Within a pixel the entries keep
// their input order (ascending k for a support in ascending order). Each entry is written as one
// (k: i32, v: f32) pair, 8 bytes: the placement pass writes to P places at once, which misses
// the cache on large layers (50176 pixels on the 3->64 224x224 layer), and pairs halve the lines
// it touches; the kernel then reads one stream instead of two.
//
// k = flat / P is carried from one entry to the next and only recomputed (an i32 division, the
// slowest instruction in the loop) when an entry leaves the current channel's range: once per
// channel for a support in ascending order, as cs.project returns it, instead of once per entry.

/** rowStart (P + 1 ints) delimits pixel p's pairs in kv (nnz pairs): [rowStart[p], rowStart[p+1]). */
export function i32_sparse_code_by_pixel_scalar(
  idx: usize, val: usize, nnz: i32, P: i32,
  rowStart: usize, kv: usize,
): void {
  memory.fill(rowStart, 0, <usize>(P + 1) << 2);
  let lo = 0; // k * P for the channel k of the previous entry
  for (let j = 0; j < nnz; j++) {
    const flat = load<i32>(idx + (<usize>j << 2));
    if (flat < lo || flat - lo >= P) lo = flat / P * P;
    const p = flat - lo;
    const slot = rowStart + (<usize>(p + 1) << 2);
    store<i32>(slot, load<i32>(slot) + 1);
  }
  for (let p = 0; p < P; p++) {
    const slot = rowStart + (<usize>(p + 1) << 2);
    store<i32>(slot, load<i32>(slot) + load<i32>(slot - 4));
  }
  // Place entries, advancing rowStart[p] as a cursor; afterwards rowStart[p] holds the end of
  // pixel p, so shift back by one slot to restore the starts.
  let k = 0;
  lo = 0;
  for (let j = 0; j < nnz; j++) {
    const flat = load<i32>(idx + (<usize>j << 2));
    if (flat < lo || flat - lo >= P) {
      k = flat / P;
      lo = k * P;
    }
    const p = flat - lo;
    const cursor = rowStart + (<usize>p << 2);
    const at = load<i32>(cursor);
    const pair = kv + (<usize>at << 3);
    store<i32>(pair, k);
    store<f32>(pair, load<f32>(val + (<usize>j << 2)), 4);
    store<i32>(cursor, at + 1);
  }
  for (let p = P; p > 0; p--) {
    store<i32>(rowStart + (<usize>p << 2), load<i32>(rowStart + (<usize>(p - 1) << 2)));
  }
  store<i32>(rowStart, 0);
}
