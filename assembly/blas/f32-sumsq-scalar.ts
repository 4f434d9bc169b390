// Sum of squares accumulated in f64 (see f32-dot-scalar.ts for why f64).

export function f32_sumsq_scalar(x: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    acc += v * v;
  }
  return acc;
}
