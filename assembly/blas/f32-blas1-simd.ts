// f32x4 versions of the BLAS-1 kernels in f32-blas1-scalar.ts. Reductions promote f32 lanes to
// f64x2 before multiplying and keep two f64x2 partial sums, so their bits differ from the scalar
// module's by the order of summation only.

// @ts-ignore: decorator
@inline
function highHalf(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 2, 3, 0, 1);
}

export function f32_dot_simd(x: usize, y: usize, n: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const a = v128.load(x + o);
    const b = v128.load(y + o);
    lo = f64x2.add(lo, f64x2.mul(f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b)));
    hi = f64x2.add(hi, f64x2.mul(f64x2.promote_low_f32x4(highHalf(a)), f64x2.promote_low_f32x4(highHalf(b))));
  }
  const s = f64x2.add(lo, hi);
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const o = <usize>i << 2;
    acc += <f64>load<f32>(x + o) * <f64>load<f32>(y + o);
  }
  return acc;
}

export function f32_sumsq_simd(x: usize, n: i32): f64 {
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = v128.load(x + (<usize>i << 2));
    const al = f64x2.promote_low_f32x4(a);
    const ah = f64x2.promote_low_f32x4(highHalf(a));
    lo = f64x2.add(lo, f64x2.mul(al, al));
    hi = f64x2.add(hi, f64x2.mul(ah, ah));
  }
  const s = f64x2.add(lo, hi);
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    acc += v * v;
  }
  return acc;
}

/** y += a * x (same bits as the scalar kernel: one multiply and one add per element) */
export function f32_axpy_simd(a: f32, x: usize, y: usize, n: i32): void {
  const av = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}

/** x *= a */
export function f32_scal_simd(a: f32, x: usize, n: i32): void {
  const av = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), av));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * a);
  }
}
