// Small vector steps of the solvers that touch every element once: proximal l1 step with
// momentum (FISTA), scatter/clear of sparse codes, element-wise differences.

/** dense[idx[j]] += val[j] for j < n (duplicates add up). */
export function f32_scatter_add_scalar(idx: usize, val: usize, n: i32, dense: usize): void {
  for (let j = 0; j < n; j++) {
    const d = dense + (<usize>load<i32>(idx + (<usize>j << 2)) << 2);
    store<f32>(d, load<f32>(d) + load<f32>(val + (<usize>j << 2)));
  }
}
