// Raw 64-bit draws of a stream of the counter-based generator (helpers/u64-counter-rng.ts).
import { draw64, streamKey } from "../helpers/u64-counter-rng";

/** Raw draws, for tests of the bit stream and for callers that need integers. */
export function u64_draws_scalar(seedLo: u32, seedHi: u32, stream: u32, start: f64, count: i32, out: usize): void {
  const key = streamKey(seedLo, seedHi, stream);
  const s = <u64>start;
  for (let i = 0; i < count; i++) {
    store<u64>(out + (<usize>i << 3), draw64(key, s + <u64>i));
  }
}
