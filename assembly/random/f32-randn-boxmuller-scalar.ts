// Gaussian and uniform samples from the counter-based generator. All arithmetic (including log,
// sqrt, sin and cos, which AssemblyScript implements in WebAssembly itself) happens inside the
// module, so every engine produces the same bits; JavaScript's Math functions may differ.

import { streamKey, draw64 } from "./u64-counter-rng";

const TWO_PI: f64 = 6.283185307179586;
const INV_2_32: f64 = 2.3283064365386963e-10; // 2^-32

/**
 * out[i] = N(0,1) draw number start+i of the stream. Draw pair j = floor(i/2) comes from one 64-bit
 * counter value by Box-Muller: u1 = (hi + 1/2) 2^-32 in (0, 1), u2 = lo 2^-32 in [0, 1),
 * r = sqrt(-2 ln u1); the even draw is r cos(2 pi u2) and the odd one r sin(2 pi u2).
 * Tails reach about 6.7 standard deviations.
 */
export function f32_randn_scalar(seedLo: u32, seedHi: u32, stream: u32, start: f64, count: i32, out: usize): void {
  const key = streamKey(seedLo, seedHi, stream);
  let i: u64 = <u64>start;
  const end: u64 = i + <u64>count;
  let dst = out;
  // A leading odd index needs the sine half of its pair.
  if (i < end && (i & 1) != 0) {
    store<f32>(dst, <f32>gaussianHalf(key, i >> 1, true));
    dst += 4;
    i++;
  }
  for (; i + 1 < end; i += 2) {
    const bits = draw64(key, i >> 1);
    const u1 = (<f64>(bits >>> 32) + 0.5) * INV_2_32;
    const u2 = <f64>(bits & 0xFFFFFFFF) * INV_2_32;
    const r = Math.sqrt(-2.0 * Math.log(u1));
    const theta = TWO_PI * u2;
    store<f32>(dst, <f32>(r * Math.cos(theta)));
    store<f32>(dst, <f32>(r * Math.sin(theta)), 4);
    dst += 8;
  }
  if (i < end) {
    store<f32>(dst, <f32>gaussianHalf(key, i >> 1, false));
  }
}

// @ts-ignore: decorator
@inline
function gaussianHalf(key: u64, pair: u64, odd: bool): f64 {
  const bits = draw64(key, pair);
  const u1 = (<f64>(bits >>> 32) + 0.5) * INV_2_32;
  const u2 = <f64>(bits & 0xFFFFFFFF) * INV_2_32;
  const r = Math.sqrt(-2.0 * Math.log(u1));
  return odd ? r * Math.sin(TWO_PI * u2) : r * Math.cos(TWO_PI * u2);
}

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
  for (let i = 0; i < count; i++) {
    const u = <f32>(draw64(key, s + <u64>i) >>> 40) * (1.0 / 16777216.0);
    store<f32>(out + (<usize>i << 2), lo + width * u);
  }
}
