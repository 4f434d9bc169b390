// Uniform draws on [lo, hi) from the counter-based generator, from 24-bit fractions so that each
// draw is exact in f32: the same bits in every engine and module.
import { draw64, streamKey } from "../helpers/u64-counter-rng";

/**
 * out[i] = lo + (hi - lo) * u, u uniform on [0, 1) from the top 24 bits of draw start+i, so u
 * is exact in f32 and, for [-1, 1), so is the result.
 */
export function f32_rand_uniform_scalar(
  seedLo: u32, seedHi: u32, stream: u32, start: f64, count: i32,
  lo: f32, hi: f32, out: usize,
): void {
  const key = streamKey(seedLo, seedHi, stream);
  const s = <u64>start;
  const width = hi - lo;
  // lo + width * u rounds up to hi when the interval is a few ulps wide: such draws take the
  // largest float below hi instead, so every draw is in [lo, hi) (wider intervals never reach it)
  const hiBits = reinterpret<u32>(hi);
  const below = hi > 0 ? reinterpret<f32>(hiBits - 1) : hi < 0 ? reinterpret<f32>(hiBits + 1) : reinterpret<f32>(<u32>0x80000001);
  for (let i = 0; i < count; i++) {
    const u = <f32>(draw64(key, s + <u64>i) >>> 40) * (1.0 / 16777216.0);
    store<f32>(out + (<usize>i << 2), min<f32>(lo + width * u, below));
  }
}
