// Small vector steps of the solvers that touch every element once: proximal l1 step with
// momentum (FISTA), scatter/clear of sparse codes, element-wise differences.

/** dense[idx[j]] = 0 for j < n: clears a sparse code without touching the rest. */
export function f32_scatter_zero_scalar(idx: usize, n: i32, dense: usize): void {
  for (let j = 0; j < n; j++) {
    store<f32>(dense + (<usize>load<i32>(idx + (<usize>j << 2)) << 2), 0);
  }
}
