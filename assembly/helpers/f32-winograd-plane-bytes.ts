// The distance between two transform planes of the Winograd scratch, V[planes][C][Tb] (the
// transformed input tiles) and Om[planes][Op][Tb] (the GEMM products): one plane's C x Tb floats
// and one cache line more. A tile's 16 or 36 values sit one per plane; with planes a multiple of
// 4 KB apart (256 channels x 56 tiles, 512 x 16, ...) they all fall in one L1 set, more lines
// than its ways, so the transforms' stores and loads would miss on every tile (bench/README.md,
// "Winograd scratch"). The facade sizes the scratch with the same line (WINOGRAD_PLANE_PAD_FLOATS
// in src/conv/choose.ts).

/** Floats added after each plane. */
export const WINOGRAD_PLANE_PAD_FLOATS: i32 = 16;

/** Bytes from one plane of `rows` rows of Tb floats to the next. */
// @ts-ignore: decorator
@inline
export function winogradPlaneBytes(rows: i32, Tb: i32): usize {
  return <usize>(rows * Tb + WINOGRAD_PLANE_PAD_FLOATS) << 2;
}
