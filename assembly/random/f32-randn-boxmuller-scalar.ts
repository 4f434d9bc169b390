// Gaussian and uniform samples from the counter-based generator, scalar form (the scalar
// module's kernel, and the head and tail of the SIMD one). All arithmetic happens inside the
// module, in f32 operations that are exactly reproducible, so every engine and both modules
// produce the same bits; JavaScript's Math functions may differ between engines.
import { randnRangeScalar } from "../helpers/f32-randn-range-scalar";
import { streamKey } from "../helpers/u64-counter-rng";

/**
 * out[i] = N(0, 1) draw number start+i of the stream: draw 2j is the cosine half and draw 2j+1
 * the sine half of the Box-Muller pair made from 64-bit draw j (see f32-gaussian-poly.ts).
 */
export function f32_randn_boxmuller_scalar(seedLo: u32, seedHi: u32, stream: u32, start: f64, count: i32, out: usize): void {
  const key = streamKey(seedLo, seedHi, stream);
  randnRangeScalar(key, <u64>start, <u64>start + <u64>count, out);
}
