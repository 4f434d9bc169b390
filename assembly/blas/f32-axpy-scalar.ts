// y += a x on f32 vectors.

/** y += a * x */
export function f32_axpy_scalar(a: f32, x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}
