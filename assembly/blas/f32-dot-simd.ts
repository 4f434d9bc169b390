// x . y with f32 lanes promoted to f64x2 before multiplying and two f64x2 partial sums: its bits
// differ from f32-dot-scalar's by the order of summation only.
import { highHalf } from "../helpers/f32x4-high-half";

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
