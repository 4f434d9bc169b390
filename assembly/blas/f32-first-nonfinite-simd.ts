// f32x4 form of f32-first-nonfinite-scalar: sixteen lanes per step, the bad step searched again
// by the scalar kernel, so both give the same answer.
import { f32_first_nonfinite_scalar } from "./f32-first-nonfinite-scalar";

export function f32_first_nonfinite_simd(x: usize, n: i32): i32 {
  const e = i32x4.splat(0x7f800000);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const bad = v128.or(
      v128.or(i32x4.eq(v128.and(v128.load(p), e), e), i32x4.eq(v128.and(v128.load(p, 16), e), e)),
      v128.or(i32x4.eq(v128.and(v128.load(p, 32), e), e), i32x4.eq(v128.and(v128.load(p, 48), e), e)));
    if (v128.any_true(bad)) break;
  }
  const r = f32_first_nonfinite_scalar(x + (<usize>i << 2), n - i);
  return r < 0 ? -1 : i + r;
}
