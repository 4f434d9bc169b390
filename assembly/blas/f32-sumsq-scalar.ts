// BLAS level 1 on f32 vectors. Reductions accumulate in f64: residual norms of an IHT run fall
// by many orders of magnitude and f32 sums would lose the small ones.

export function f32_sumsq_scalar(x: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    acc += v * v;
  }
  return acc;
}
