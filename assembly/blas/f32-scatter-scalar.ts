// Writes a sparse code's (index, value) pairs into a dense vector, leaving the rest as it is.

/** dense[idx[j]] = val[j] for j < n. */
export function f32_scatter_scalar(idx: usize, val: usize, n: i32, dense: usize): void {
  for (let j = 0; j < n; j++) {
    store<f32>(dense + (<usize>load<i32>(idx + (<usize>j << 2)) << 2), load<f32>(val + (<usize>j << 2)));
  }
}
