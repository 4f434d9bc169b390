// w = y + a x into a third vector: the bits of a copy of y followed by an axpy, in one pass.

/** w = y + a * x (w may be y or x) */
export function f32_waxpy_scalar(a: f32, x: usize, y: usize, w: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(w + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}
