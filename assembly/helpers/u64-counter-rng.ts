// Counter-based random bits: draw j of stream s under a seed is mix(key(seed, s) + (j+1)*phi),
// the SplitMix64 output function applied to a Weyl sequence. Nothing is carried from one draw to
// the next, so any draw can be computed on its own: streams are splittable by construction, and
// trial t of a study can live in stream t whatever the batching, worker count or sharding.

export const PHI: u64 = 0x9E3779B97F4A7C15;

export const STREAM_MULT: u64 = 0xD1B54A32D192ED03;

/** SplitMix64's finalizer (Stafford's Mix13): a bijective avalanche on 64 bits. */
// @ts-ignore: decorator
@inline
export function mix64(z: u64): u64 {
  z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >>> 27)) * 0x94D049BB133111EB;
  return z ^ (z >>> 31);
}

/** The key of stream `stream` under the 64-bit seed (lo, hi). */
// @ts-ignore: decorator
@inline
export function streamKey(seedLo: u32, seedHi: u32, stream: u32): u64 {
  const seed = (<u64>seedHi << 32) | <u64>seedLo;
  return mix64(mix64(seed + PHI) ^ ((<u64>stream + 1) * STREAM_MULT));
}

/** 64 random bits: draw `counter` of the stream with this key. */
// @ts-ignore: decorator
@inline
export function draw64(key: u64, counter: u64): u64 {
  return mix64(key + (counter + 1) * PHI);
}
