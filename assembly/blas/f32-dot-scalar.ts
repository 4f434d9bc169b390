// x . y accumulated in f64: residual norms of an IHT run fall by many orders of magnitude and
// f32 sums would lose the small ones.

export function f32_dot_scalar(x: usize, y: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    acc += <f64>load<f32>(x + o) * <f64>load<f32>(y + o);
  }
  return acc;
}
