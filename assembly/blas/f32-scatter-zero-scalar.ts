// Clears a sparse code's positions in a dense vector without touching the rest.

/** dense[idx[j]] = 0 for j < n: clears a sparse code without touching the rest. */
export function f32_scatter_zero_scalar(idx: usize, n: i32, dense: usize): void {
  for (let j = 0; j < n; j++) {
    store<f32>(dense + (<usize>load<i32>(idx + (<usize>j << 2)) << 2), 0);
  }
}
