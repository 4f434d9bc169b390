// Sum of squares with f32 lanes promoted to f64x2 and two partial sums: the bits of
// f32-sumsq-scalar up to the order of summation.
import { highHalf } from "../helpers/f32x4-high-half";

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
