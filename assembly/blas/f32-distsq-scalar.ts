// Squared distance sum (a - b)^2 in f64, without a scratch copy of the difference.

/** Sum of (a - b)^2 in f64: squared distance without a scratch copy. */
export function f32_distsq_scalar(a: usize, b: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const d = <f64>load<f32>(a + o) - <f64>load<f32>(b + o);
    acc += d * d;
  }
  return acc;
}
