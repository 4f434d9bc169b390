// acc + a*b on f32x4. The relaxed-SIMD module (built with relaxed-simd enabled) uses
// f32x4.relaxed_madd, which the engine may fuse into one FMA instruction (one rounding instead
// of two, so its bits may differ by machine); the baseline SIMD module keeps the separate
// multiply and add, whose bits are the same everywhere.

// @ts-ignore: decorator
@inline
export function madd4(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, acc);
  } else {
    return f32x4.add(acc, f32x4.mul(a, b));
  }
}
