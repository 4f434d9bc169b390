// Normals i..end-1 of a stream, scalar: the scalar module's sampler, and the head and tail of the
// SIMD one. All arithmetic is in reproducible f32 operations inside the module, so every engine
// and both modules give the same bits (JavaScript's Math functions may differ between engines).
import { gaussianPairScalar } from "./f32-gaussian-poly";
import { draw64 } from "./u64-counter-rng";

/** Normals [i, end) of the stream with this key into dst (dst[0] is normal i). */
export function randnRangeScalar(key: u64, i: u64, end: u64, dst: usize): void {
  while (i < end) {
    const pair = i >> 1;
    const odd = (i & 1) != 0;
    const bits = draw64(key, pair);
    if (odd) {
      gaussianPairScalar(bits, dst, false, true, 0); // the sine half of a pair whose cosine is not ours
      dst += 4;
      i++;
    } else {
      const both = i + 1 < end;
      gaussianPairScalar(bits, dst, true, both, 4);
      dst += both ? 8 : 4;
      i += both ? 2 : 1;
    }
  }
}
