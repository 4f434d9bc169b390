// BLAS level 1 on f32 vectors. Reductions accumulate in f64: residual norms of an IHT run fall
// by many orders of magnitude and f32 sums would lose the small ones.

/** x *= a */
export function f32_scal_scalar(a: f32, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * a);
  }
}
