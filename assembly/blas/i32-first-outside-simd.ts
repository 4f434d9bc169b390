// i32x4 form of i32-first-outside-scalar: sixteen lanes per step, and the step that holds a bad
// lane is searched again by the scalar kernel for its exact position, so both give the same answer.
import { i32_first_outside_scalar } from "./i32-first-outside-scalar";

export function i32_first_outside_simd(idx: usize, n: i32, limit: i32): i32 {
  const lim = i32x4.splat(limit);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = idx + (<usize>i << 2);
    // Unsigned: a negative index is a huge one.
    const bad = v128.or(
      v128.or(i32x4.ge_u(v128.load(p), lim), i32x4.ge_u(v128.load(p, 16), lim)),
      v128.or(i32x4.ge_u(v128.load(p, 32), lim), i32x4.ge_u(v128.load(p, 48), lim)));
    if (v128.any_true(bad)) break;
  }
  const r = i32_first_outside_scalar(idx + (<usize>i << 2), n - i, limit);
  return r < 0 ? -1 : i + r;
}
