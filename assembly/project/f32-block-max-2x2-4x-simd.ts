// Step one of M(h, k) for 2x2 pooling, four blocks per f32x4: the blocks of a pair of rows are
// read as two vectors per row, split into the even and odd columns by one shuffle each, and the
// winner of each block is picked with compares and bit-selects instead of branches. On real
// codes the winner's position is unpredictable, and f32-block-max-scalar's branches
// mispredicted about once per block. Same candidates in the same (row-major) order with the same
// strict '>' as the scalar reference, so the same winners, values and indices, bit for bit.
// Blocks cut by the right or bottom edge (odd Wo or Ho) go through the scalar code. Filter maps
// [kBegin, kEnd), and the code h or h + mu g, as f32-block-max-scalar.
import { f32_block_max_scalar_range } from "../helpers/f32-block-max-range-scalar";

export function f32_block_max_2x2_4x_simd(
  h: usize, g: usize, mu: f32, kBegin: i32, kEnd: i32, Ho: i32, Wo: i32, relu: i32,
  blockVal: usize, blockMag: usize, blockIdx: usize,
): void {
  const Bh = (Ho + 1) >> 1;
  const Bw = (Wo + 1) >> 1;
  const fullBw = Wo >> 1; // blocks of two columns
  const rowBytes = <usize>Wo << 2;
  const zero = f32x4.splat(0);
  const minusOne = f32x4.splat(-1);
  const lane2 = i32x4(0, 2, 4, 6);
  const muv = f32x4.splat(mu);
  for (let k = kBegin; k < kEnd; k++) {
    for (let by = 0; by < Bh; by++) {
      const y = by * 2;
      let b = (k * Bh + by) * Bw;
      let bx = 0;
      if (y + 1 < Ho) {
        const rowIdx = (k * Ho + y) * Wo;
        const row = h + (<usize>rowIdx << 2);
        for (; bx + 4 <= fullBw; bx += 4, b += 4) {
          const p = row + (<usize>(bx * 2) << 2);
          let t0 = v128.load(p), t1 = v128.load(p, 16);
          let u0 = v128.load(p + rowBytes), u1 = v128.load(p + rowBytes, 16);
          if (g != 0) {
            // one multiply and one add per element: the bits of f32_waxpy
            const q = p - h + g;
            t0 = f32x4.add(t0, f32x4.mul(muv, v128.load(q)));
            t1 = f32x4.add(t1, f32x4.mul(muv, v128.load(q, 16)));
            u0 = f32x4.add(u0, f32x4.mul(muv, v128.load(q + rowBytes)));
            u1 = f32x4.add(u1, f32x4.mul(muv, v128.load(q + rowBytes, 16)));
          }
          let c00 = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6), c01 = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
          let c10 = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), c11 = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
          let m00: v128, m01: v128, m10: v128, m11: v128;
          if (relu) {
            c00 = f32x4.max(c00, zero); c01 = f32x4.max(c01, zero);
            c10 = f32x4.max(c10, zero); c11 = f32x4.max(c11, zero);
            m00 = c00; m01 = c01; m10 = c10; m11 = c11;
          } else {
            m00 = f32x4.abs(c00); m01 = f32x4.abs(c01); m10 = f32x4.abs(c10); m11 = f32x4.abs(c11);
          }
          const i00 = i32x4.add(i32x4.splat(rowIdx + bx * 2), lane2);
          // Start where the scalar code starts (magnitude -1, value 0, the first index), so that
          // even a NaN candidate, which wins no comparison, gives the same result.
          let better = f32x4.gt(m00, minusOne);
          let bestMag = v128.bitselect(m00, minusOne, better);
          let bestVal = v128.bitselect(c00, zero, better);
          let bestIdx = i00;
          better = f32x4.gt(m01, bestMag);
          bestMag = v128.bitselect(m01, bestMag, better);
          bestVal = v128.bitselect(c01, bestVal, better);
          bestIdx = v128.bitselect(i32x4.add(i00, i32x4.splat(1)), bestIdx, better);
          better = f32x4.gt(m10, bestMag);
          bestMag = v128.bitselect(m10, bestMag, better);
          bestVal = v128.bitselect(c10, bestVal, better);
          bestIdx = v128.bitselect(i32x4.add(i00, i32x4.splat(Wo)), bestIdx, better);
          better = f32x4.gt(m11, bestMag);
          bestMag = v128.bitselect(m11, bestMag, better);
          bestVal = v128.bitselect(c11, bestVal, better);
          bestIdx = v128.bitselect(i32x4.add(i00, i32x4.splat(Wo + 1)), bestIdx, better);
          v128.store(blockIdx + (<usize>b << 2), bestIdx);
          v128.store(blockVal + (<usize>b << 2), bestVal);
          v128.store(blockMag + (<usize>b << 2), bestMag);
        }
      }
      // The rest of the block row (fewer than four full blocks, an edge block, or the last row
      // of an odd Ho): the scalar code, block by block.
      f32_block_max_scalar_range(h, g, mu, k, Ho, Wo, 2, 2, relu, by, bx, Bw, b, blockVal, blockMag, blockIdx);
    }
  }
}
