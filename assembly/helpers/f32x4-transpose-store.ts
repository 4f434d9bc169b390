// A 4x4 transpose in registers, stored as rows: rows r0..r3 hold 4 values of 4 items (pixels
// x channels, say), and row c of the result, item c of every row, goes to dst + c * stride.
// Eight shuffles instead of sixteen scalar copies; shared by the forward kernel's output tiles
// and the channel-last to channel-first crop, which may want only the first `rows` of the four
// (fewer than 4 channels in 4-float pixels). Inlined with rows a constant, the tests fold away.

// @ts-ignore: decorator
@inline
export function f32x4_transpose_store(dst: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128, rows: i32 = 4): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  if (rows > 1) v128.store(dst + stride, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  if (rows > 2) v128.store(dst + 2 * stride, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  if (rows > 3) v128.store(dst + 3 * stride, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}
