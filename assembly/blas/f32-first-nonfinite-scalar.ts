// Input check over a caller's values once they are in linear memory: the first one that is NaN
// or infinite (see i32-first-outside-scalar.ts for why in wasm).

/** The first i with x[i] NaN or infinite (all exponent bits set), or -1. */
export function f32_first_nonfinite_scalar(x: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    if ((load<u32>(x + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return i;
  }
  return -1;
}
