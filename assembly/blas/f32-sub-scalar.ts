// out = a - b, element-wise (a CReLU code's two halves, residuals).

/** out = a - b */
export function f32_sub_scalar(a: usize, b: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) - load<f32>(b + o));
  }
}
