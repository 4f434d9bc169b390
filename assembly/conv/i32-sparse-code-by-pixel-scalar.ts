// Regroups a sparse code, given as flat indices k*P + p into z[K][P] with values, by code pixel
// p (a counting sort, O(nnz + P)): the sparse transposed GEMM then visits each pixel once per
// column panel and finds all of its non-zero filters together. Within a pixel the entries keep
// their input order (ascending k for a support in ascending order).

/** rowStart (P + 1 ints) delimits pixel p's entries in kOut/vOut: [rowStart[p], rowStart[p+1]). */
export function i32_sparse_code_by_pixel_scalar(
  idx: usize, val: usize, nnz: i32, P: i32,
  rowStart: usize, kOut: usize, vOut: usize,
): void {
  memory.fill(rowStart, 0, <usize>(P + 1) << 2);
  for (let j = 0; j < nnz; j++) {
    const flat = load<i32>(idx + (<usize>j << 2));
    const p = flat % P;
    const slot = rowStart + (<usize>(p + 1) << 2);
    store<i32>(slot, load<i32>(slot) + 1);
  }
  for (let p = 0; p < P; p++) {
    const slot = rowStart + (<usize>(p + 1) << 2);
    store<i32>(slot, load<i32>(slot) + load<i32>(slot - 4));
  }
  // Place entries, advancing rowStart[p] as a cursor; afterwards rowStart[p] holds the end of
  // pixel p, so shift back by one slot to restore the starts.
  for (let j = 0; j < nnz; j++) {
    const flat = load<i32>(idx + (<usize>j << 2));
    const k = flat / P;
    const p = flat - k * P;
    const cursor = rowStart + (<usize>p << 2);
    const at = load<i32>(cursor);
    store<i32>(kOut + (<usize>at << 2), k);
    store<f32>(vOut + (<usize>at << 2), load<f32>(val + (<usize>j << 2)));
    store<i32>(cursor, at + 1);
  }
  for (let p = P; p > 0; p--) {
    store<i32>(rowStart + (<usize>p << 2), load<i32>(rowStart + (<usize>(p - 1) << 2)));
  }
  store<i32>(rowStart, 0);
}
