// Gaussian sampling, f32x4: four Box-Muller pairs (eight normals) per step. SplitMix64 runs on
// two i64x2 vectors of counters, and the transform repeats gaussianPairScalar's f32 operations
// lane by lane, so the output is bit-identical to the scalar module's.

import { streamKey, PHI } from "./u64-counter-rng";
import { randnRangeScalar } from "./f32-randn-boxmuller-scalar";
import {
  INV_2_24, SQRT2, LN2, HALF_PI, L3, L5, L7, L9,
  S3, S5, S7, S9, S11, S13, C2, C4, C6, C8, C10, C12, C14,
} from "./f32-gaussian-poly";

// @ts-ignore: decorator
@inline
function mix64x2(z: v128): v128 {
  z = v128.xor(z, i64x2.shr_u(z, 30));
  z = i64x2.mul(z, i64x2.splat(0xBF58476D1CE4E5B9));
  z = v128.xor(z, i64x2.shr_u(z, 27));
  z = i64x2.mul(z, i64x2.splat(0x94D049BB133111EB));
  return v128.xor(z, i64x2.shr_u(z, 31));
}

// @ts-ignore: decorator
@inline
function horner(x2: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32, c6: f32): v128 {
  // ((((((c0 x2 + c1) x2 + c2) x2 + c3) x2 + c4) x2 + c5) x2 + c6): the scalar code's order
  let p = f32x4.add(f32x4.mul(f32x4.splat(c0), x2), f32x4.splat(c1));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(c2));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(c3));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(c4));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(c5));
  return f32x4.add(f32x4.mul(p, x2), f32x4.splat(c6));
}

export function f32_randn_simd(seedLo: u32, seedHi: u32, stream: u32, start: f64, count: i32, out: usize): void {
  const key = streamKey(seedLo, seedHi, stream);
  let i: u64 = <u64>start;
  const end: u64 = i + <u64>count;
  let dst = out;
  if ((i & 1) != 0 && i < end) {
    randnRangeScalar(key, i, i + 1, dst); // finish the pair the slice starts inside
    i++;
    dst += 4;
  }
  if (i + 8 <= end) {
    const pair = i >> 1;
    // counters pair+1 .. pair+4 of the Weyl sequence key + c*PHI, two per vector
    const base = key + (pair + 1) * PHI;
    let za = i64x2.replace_lane(i64x2.splat(base), 1, base + PHI);
    let zb = i64x2.replace_lane(i64x2.splat(base + 2 * PHI), 1, base + 3 * PHI);
    const step = i64x2.splat(4 * PHI);
    const one = f32x4.splat(1);
    for (; i + 8 <= end; i += 8) {
      const a = mix64x2(za);
      const b = mix64x2(zb);
      za = i64x2.add(za, step);
      zb = i64x2.add(zb, step);
      const hiw = v128.shuffle<i32>(a, b, 1, 3, 5, 7);
      const low = v128.shuffle<i32>(a, b, 0, 2, 4, 6);
      const u1 = f32x4.mul(f32x4.add(f32x4.convert_i32x4_u(i32x4.shr_u(hiw, 8)), f32x4.splat(0.5)), f32x4.splat(INV_2_24));
      const u2 = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(low, 8)), f32x4.splat(INV_2_24));
      // ln u1
      let e = i32x4.sub(i32x4.shr_s(u1, 23), i32x4.splat(127));
      let m = v128.or(v128.and(u1, i32x4.splat(0x007FFFFF)), i32x4.splat(0x3F800000));
      const big = f32x4.gt(m, f32x4.splat(SQRT2));
      m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
      e = i32x4.sub(e, big); // big lanes are -1: e + 1 there
      const s = f32x4.div(f32x4.sub(m, one), f32x4.add(m, one));
      const s2 = f32x4.mul(s, s);
      let poly = f32x4.add(f32x4.mul(f32x4.splat(L9), s2), f32x4.splat(L7));
      poly = f32x4.add(f32x4.mul(poly, s2), f32x4.splat(L5));
      poly = f32x4.add(f32x4.mul(poly, s2), f32x4.splat(L3));
      poly = f32x4.add(f32x4.mul(poly, s2), one);
      const ln = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(e), f32x4.splat(LN2)), f32x4.mul(f32x4.add(s, s), poly));
      const r = f32x4.sqrt(f32x4.mul(f32x4.splat(-2), ln));
      // quadrant and angle
      const u4 = f32x4.mul(u2, f32x4.splat(4));
      const qf = f32x4.floor(u4);
      const x = f32x4.mul(f32x4.sub(u4, qf), f32x4.splat(HALF_PI));
      const q = i32x4.trunc_sat_f32x4_s(qf);
      const x2 = f32x4.mul(x, x);
      const sp = f32x4.mul(x, horner(x2, S13, S11, S9, S7, S5, S3, 1));
      const cp = f32x4.add(f32x4.mul(horner(x2, C14, C12, C10, C8, C6, C4, C2), x2), one);
      const swap = i32x4.eq(v128.and(q, i32x4.splat(1)), i32x4.splat(1));
      let c = v128.bitselect(sp, cp, swap);
      let sn = v128.bitselect(cp, sp, swap);
      c = v128.xor(c, i32x4.shl(v128.and(i32x4.add(q, i32x4.splat(1)), i32x4.splat(2)), 30));
      sn = v128.xor(sn, i32x4.shl(v128.and(q, i32x4.splat(2)), 30));
      const nc = f32x4.mul(r, c);
      const ns = f32x4.mul(r, sn);
      v128.store(dst, v128.shuffle<f32>(nc, ns, 0, 4, 1, 5));
      v128.store(dst, v128.shuffle<f32>(nc, ns, 2, 6, 3, 7), 16);
      dst += 32;
    }
  }
  randnRangeScalar(key, i, end, dst);
}
