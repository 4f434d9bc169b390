// w = y + a x into a third vector, four lanes at a time: one multiply and one add per element,
// the scalar kernel's bits.

/** w = y + a * x (same bits as the scalar kernel) */
export function f32_waxpy_simd(a: f32, x: usize, y: usize, w: usize, n: i32): void {
  const av = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(w + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(w + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}
