// Input check over a caller's sparse code once it is in linear memory: the first index outside
// [0, limit). Every call validates its input, and as a JavaScript loop the check would cost as
// much as the transposed convolution itself on large codes.

/** The first i with idx[i] outside [0, limit) (limit >= 0), or -1. */
export function i32_first_outside_scalar(idx: usize, n: i32, limit: i32): i32 {
  for (let i = 0; i < n; i++) {
    if (<u32>load<i32>(idx + (<usize>i << 2)) >= <u32>limit) return i;
  }
  return -1;
}
