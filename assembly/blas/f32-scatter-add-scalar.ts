// Adds a sparse code's (index, value) pairs into a dense vector.

/** dense[idx[j]] += val[j] for j < n (duplicates add up). */
export function f32_scatter_add_scalar(idx: usize, val: usize, n: i32, dense: usize): void {
  for (let j = 0; j < n; j++) {
    const d = dense + (<usize>load<i32>(idx + (<usize>j << 2)) << 2);
    store<f32>(d, load<f32>(d) + load<f32>(val + (<usize>j << 2)));
  }
}
