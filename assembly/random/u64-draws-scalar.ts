// Counter-based random bits: draw j of stream s under a seed is mix(key(seed, s) + (j+1)*phi),
// the SplitMix64 output function applied to a Weyl sequence. Nothing is carried from one draw to
// the next, so any draw can be computed on its own: streams are splittable by construction, and
// trial t of a study can live in stream t whatever the batching, worker count or sharding.
import { draw64, streamKey } from "../helpers/u64-counter-rng";

/** Raw draws, for tests of the bit stream and for callers that need integers. */
export function u64_draws_scalar(seedLo: u32, seedHi: u32, stream: u32, start: f64, count: i32, out: usize): void {
  const key = streamKey(seedLo, seedHi, stream);
  const s = <u64>start;
  for (let i = 0; i < count; i++) {
    store<u64>(out + (<usize>i << 3), draw64(key, s + <u64>i));
  }
}
