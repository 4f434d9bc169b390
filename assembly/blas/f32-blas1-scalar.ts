// BLAS level 1 on f32 vectors. Reductions accumulate in f64: residual norms of an IHT run fall
// by many orders of magnitude and f32 sums would lose the small ones.

export function f32_dot_scalar(x: usize, y: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    acc += <f64>load<f32>(x + o) * <f64>load<f32>(y + o);
  }
  return acc;
}

export function f32_sumsq_scalar(x: usize, n: i32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    acc += v * v;
  }
  return acc;
}

/** y += a * x */
export function f32_axpy_scalar(a: f32, x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}

/** x *= a */
export function f32_scal_scalar(a: f32, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * a);
  }
}
