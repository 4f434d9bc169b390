// Small vector steps of the solvers that touch every element once: proximal l1 step with
// momentum (FISTA), scatter/clear of sparse codes, element-wise differences.

/** out = a - b */
export function f32_sub_scalar(a: usize, b: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) - load<f32>(b + o));
  }
}
