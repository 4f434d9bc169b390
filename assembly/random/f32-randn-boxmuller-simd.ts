// Gaussian sampling, f32x4: eight Box-Muller pairs (sixteen normals) per step, as two groups of
// four. SplitMix64 runs on i64x2 vectors of counters, and the transform repeats
// gaussianPairScalar's f32 operations lane by lane, so the output is bit-identical to the scalar
// module's.
//
// Where the scalar code derives a value with float operations that are exact (the quadrant, the
// angle's fraction, the halving of the mantissa), this kernel takes it from the integer bits
// instead: the same bits come out, and V8 (no AVX-512) lowers the float forms it replaces
// (f32x4.convert_i32x4_u, i32x4.trunc_sat_f32x4_s) into sequences of six to eight instructions.
import { C10, C12, C14, C2, C4, C6, C8, HALF_PI, INV_2_24, L3, L5, L7, L9, LN2, S11, S13, S3, S5, S7, S9, SQRT2 } from "../helpers/f32-gaussian-poly";
import { randnRangeScalar } from "../helpers/f32-randn-range-scalar";
import { PHI, streamKey } from "../helpers/u64-counter-rng";

// SplitMix64's output function on two lanes. V8 lowers i64x2.mul to eight instructions (three
// vpmuludq); a product built from i64x2.extmul_low_i32x4_u and i32x4.mul needs a shuffle and
// more, and measured a little slower in this kernel.
// @ts-ignore: decorator
@inline
function mix64x2(z: v128, m1: v128, m2: v128): v128 {
  z = v128.xor(z, i64x2.shr_u(z, 30));
  z = i64x2.mul(z, m1);
  z = v128.xor(z, i64x2.shr_u(z, 27));
  z = i64x2.mul(z, m2);
  return v128.xor(z, i64x2.shr_u(z, 31));
}

// @ts-ignore: decorator
@inline
function mulAdd(p: v128, x: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(p, x), c); // two roundings, as in the scalar code: no fused multiply-add
}

export function f32_randn_boxmuller_simd(seedLo: u32, seedHi: u32, stream: u32, start: f64, count: i32, out: usize): void {
  const key = streamKey(seedLo, seedHi, stream);
  let i: u64 = <u64>start;
  const end: u64 = i + <u64>count;
  let dst = out;
  if ((i & 1) != 0 && i < end) {
    randnRangeScalar(key, i, i + 1, dst); // finish the pair the slice starts inside
    i++;
    dst += 4;
  }
  if (i + 16 <= end) {
    // The loop's constants, read once before it. V8 (11.3) rebuilds every v128.const used in a
    // loop on each iteration (movq, vmovq, vpunpcklqdq: three instructions for each of about
    // thirty constants) and hoists none of them; binaryen would fold constant locals back into
    // the loop, but not loads, so the constants come from these tables into locals, which V8
    // keeps in registers or stack slots (a few percent faster than a splat load at each use).
    const F32K = memory.data<f32>([
      0.5, INV_2_24, SQRT2, LN2, -2, HALF_PI * INV_2_24 * 4, 1, // 0..6 (5: 2^-22 pi/2, exact)
      L9, L7, L5, L3,                                          // 7..10
      S13, S11, S9, S7, S5, S3,                                // 11..16
      C14, C12, C10, C8, C6, C4, C2,                           // 17..23
    ]);
    const U32K = memory.data<u32>([0x007FFFFF, 0x3F800000, 127, 0x00800000, 0x80000000]);
    const U64K = memory.data<u64>([0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 8 * PHI]);
    const m1 = v128.load64_splat(U64K);
    const m2 = v128.load64_splat(U64K, 8);
    const step = v128.load64_splat(U64K, 16);
    const mantMask = v128.load32_splat(U32K);
    const oneBits = v128.load32_splat(U32K, 4);
    const bias = v128.load32_splat(U32K, 8);
    const expOne = v128.load32_splat(U32K, 12);
    const signBit = v128.load32_splat(U32K, 16);
    const half = v128.load32_splat(F32K);
    const inv24 = v128.load32_splat(F32K, 4);
    const sqrt2 = v128.load32_splat(F32K, 8);
    const ln2 = v128.load32_splat(F32K, 12);
    const minus2 = v128.load32_splat(F32K, 16);
    const angle = v128.load32_splat(F32K, 20);
    const one = v128.load32_splat(F32K, 24);
    const l9 = v128.load32_splat(F32K, 28);
    const l7 = v128.load32_splat(F32K, 32);
    const l5 = v128.load32_splat(F32K, 36);
    const l3 = v128.load32_splat(F32K, 40);
    const s13 = v128.load32_splat(F32K, 44);
    const s11 = v128.load32_splat(F32K, 48);
    const s9 = v128.load32_splat(F32K, 52);
    const s7 = v128.load32_splat(F32K, 56);
    const s5 = v128.load32_splat(F32K, 60);
    const s3 = v128.load32_splat(F32K, 64);
    const c14 = v128.load32_splat(F32K, 68);
    const c12 = v128.load32_splat(F32K, 72);
    const c10 = v128.load32_splat(F32K, 76);
    const c8 = v128.load32_splat(F32K, 80);
    const c6 = v128.load32_splat(F32K, 84);
    const c4 = v128.load32_splat(F32K, 88);
    const c2 = v128.load32_splat(F32K, 92);
    // counters pair+1 .. pair+8 of the Weyl sequence key + c*PHI, two per vector
    const base = key + ((i >> 1) + 1) * PHI;
    let z0 = i64x2.replace_lane(i64x2.splat(base), 1, base + PHI);
    let z1 = i64x2.replace_lane(i64x2.splat(base + 2 * PHI), 1, base + 3 * PHI);
    let z2 = i64x2.replace_lane(i64x2.splat(base + 4 * PHI), 1, base + 5 * PHI);
    let z3 = i64x2.replace_lane(i64x2.splat(base + 6 * PHI), 1, base + 7 * PHI);
    // Two independent groups of four pairs per step, A (pairs 0-3) and B (4-7), every statement
    // written for A and then for B. One group's transform is a long dependency chain (a division,
    // a square root, polynomials) and V8 emits instructions in this order, so it is the
    // interleaving that lets the CPU overlap the two chains: about 1.45x over one group per step,
    // where writing the two groups one after the other gained nothing (measured).
    for (; i + 16 <= end; i += 16) {
      const d0 = mix64x2(z0, m1, m2);
      const d1 = mix64x2(z1, m1, m2);
      const d2 = mix64x2(z2, m1, m2);
      const d3 = mix64x2(z3, m1, m2);
      z0 = i64x2.add(z0, step);
      z1 = i64x2.add(z1, step);
      z2 = i64x2.add(z2, step);
      z3 = i64x2.add(z3, step);
      const hiA = v128.shuffle<i32>(d0, d1, 1, 3, 5, 7);
      const hiB = v128.shuffle<i32>(d2, d3, 1, 3, 5, 7);
      const lowA = v128.shuffle<i32>(d0, d1, 0, 2, 4, 6);
      const lowB = v128.shuffle<i32>(d2, d3, 0, 2, 4, 6);
      // u1 = (a + 1/2) 2^-24: a < 2^24, so the signed conversion is exact, like the unsigned one
      const u1A = f32x4.mul(f32x4.add(f32x4.convert_i32x4_s(i32x4.shr_u(hiA, 8)), half), inv24);
      const u1B = f32x4.mul(f32x4.add(f32x4.convert_i32x4_s(i32x4.shr_u(hiB, 8)), half), inv24);
      // ln u1: exponent and mantissa m in [sqrt(1/2), sqrt(2))
      let eA = i32x4.sub(i32x4.shr_s(u1A, 23), bias);
      let eB = i32x4.sub(i32x4.shr_s(u1B, 23), bias);
      let mA = v128.or(v128.and(u1A, mantMask), oneBits);
      let mB = v128.or(v128.and(u1B, mantMask), oneBits);
      const bigA = f32x4.gt(mA, sqrt2);
      const bigB = f32x4.gt(mB, sqrt2);
      // m * 0.5 where big: m is in [1, 2), so that is exactly one off the exponent field
      mA = i32x4.sub(mA, v128.and(bigA, expOne));
      mB = i32x4.sub(mB, v128.and(bigB, expOne));
      eA = i32x4.sub(eA, bigA); // big lanes are -1: e + 1 there
      eB = i32x4.sub(eB, bigB);
      const sA = f32x4.div(f32x4.sub(mA, one), f32x4.add(mA, one));
      const sB = f32x4.div(f32x4.sub(mB, one), f32x4.add(mB, one));
      // Quadrant and angle. With b = low >>> 8 (24 bits), the scalar code's u4 = b 2^-22 is exact,
      // so q = floor(u4) = b >>> 22 is the top two bits of low, and u4 - q = (b & 0x3FFFFF) 2^-22
      // is exact too: x = (u4 - q) (pi/2) = (b & 0x3FFFFF) (2^-22 pi/2), one rounding either way.
      const xA = f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(i32x4.shl(lowA, 2), 10)), angle);
      const xB = f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(i32x4.shl(lowB, 2), 10)), angle);
      const x2A = f32x4.mul(xA, xA);
      const x2B = f32x4.mul(xB, xB);
      // sine, cosine and log polynomials in the scalar code's order, their steps interleaved
      let spA = mulAdd(s13, x2A, s11);
      let spB = mulAdd(s13, x2B, s11);
      let cpA = mulAdd(c14, x2A, c12);
      let cpB = mulAdd(c14, x2B, c12);
      spA = mulAdd(spA, x2A, s9);
      spB = mulAdd(spB, x2B, s9);
      cpA = mulAdd(cpA, x2A, c10);
      cpB = mulAdd(cpB, x2B, c10);
      spA = mulAdd(spA, x2A, s7);
      spB = mulAdd(spB, x2B, s7);
      cpA = mulAdd(cpA, x2A, c8);
      cpB = mulAdd(cpB, x2B, c8);
      spA = mulAdd(spA, x2A, s5);
      spB = mulAdd(spB, x2B, s5);
      cpA = mulAdd(cpA, x2A, c6);
      cpB = mulAdd(cpB, x2B, c6);
      const s2A = f32x4.mul(sA, sA);
      const s2B = f32x4.mul(sB, sB);
      spA = mulAdd(spA, x2A, s3);
      spB = mulAdd(spB, x2B, s3);
      cpA = mulAdd(cpA, x2A, c4);
      cpB = mulAdd(cpB, x2B, c4);
      let pA = mulAdd(l9, s2A, l7);
      let pB = mulAdd(l9, s2B, l7);
      spA = f32x4.mul(xA, mulAdd(spA, x2A, one));
      spB = f32x4.mul(xB, mulAdd(spB, x2B, one));
      cpA = mulAdd(cpA, x2A, c2);
      cpB = mulAdd(cpB, x2B, c2);
      pA = mulAdd(pA, s2A, l5);
      pB = mulAdd(pB, s2B, l5);
      cpA = mulAdd(cpA, x2A, one);
      cpB = mulAdd(cpB, x2B, one);
      pA = mulAdd(pA, s2A, l3);
      pB = mulAdd(pB, s2B, l3);
      pA = mulAdd(pA, s2A, one);
      pB = mulAdd(pB, s2B, one);
      // ln = e ln2 + 2s poly, r = sqrt(-2 ln)
      const lnA = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(eA), ln2), f32x4.mul(f32x4.add(sA, sA), pA));
      const lnB = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(eB), ln2), f32x4.mul(f32x4.add(sB, sB), pB));
      const rA = f32x4.sqrt(f32x4.mul(minus2, lnA));
      const rB = f32x4.sqrt(f32x4.mul(minus2, lnB));
      // odd q (bit 30 of low) swaps sine and cosine; the cosine is negative in quadrants 1 and 2
      // (bit 30 xor bit 31), the sine in quadrants 2 and 3 (bit 31)
      const low1A = i32x4.shl(lowA, 1);
      const low1B = i32x4.shl(lowB, 1);
      const swapA = v128.and(v128.xor(spA, cpA), i32x4.shr_s(low1A, 31));
      const swapB = v128.and(v128.xor(spB, cpB), i32x4.shr_s(low1B, 31));
      const cA = v128.xor(v128.xor(cpA, swapA), v128.and(v128.xor(lowA, low1A), signBit));
      const cB = v128.xor(v128.xor(cpB, swapB), v128.and(v128.xor(lowB, low1B), signBit));
      const snA = v128.xor(v128.xor(spA, swapA), v128.and(lowA, signBit));
      const snB = v128.xor(v128.xor(spB, swapB), v128.and(lowB, signBit));
      const ncA = f32x4.mul(rA, cA);
      const ncB = f32x4.mul(rB, cB);
      const nsA = f32x4.mul(rA, snA);
      const nsB = f32x4.mul(rB, snB);
      // cosine half of pair j to dst[2j], sine half to dst[2j+1]
      v128.store(dst, v128.shuffle<f32>(ncA, nsA, 0, 4, 1, 5));
      v128.store(dst, v128.shuffle<f32>(ncA, nsA, 2, 6, 3, 7), 16);
      v128.store(dst, v128.shuffle<f32>(ncB, nsB, 0, 4, 1, 5), 32);
      v128.store(dst, v128.shuffle<f32>(ncB, nsB, 2, 6, 3, 7), 48);
      dst += 64;
    }
  }
  randnRangeScalar(key, i, end, dst); // the last 0..15 normals
}
