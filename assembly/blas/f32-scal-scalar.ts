// x *= a on an f32 vector.

/** x *= a */
export function f32_scal_scalar(a: f32, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * a);
  }
}
