// Step one of the block-sparse projection M(h, k): in every pooling block of every filter map
// keep the entry of largest magnitude. A block is a ph x pw region of one filter's Ho x Wo map
// (partial regions at the right and bottom edges included: ceil mode); 'global' pooling is the
// special case ph = Ho, pw = Wo.
import { f32_block_max_scalar_range } from "../helpers/f32-block-max-range-scalar";

/**
 * For the filter maps [kBegin, kEnd) of h[K][Ho][Wo] (threads split the maps) writes, per block
 * b = (k*Bh + by)*Bw + bx:
 *   blockIdx[b]  flat index into h of the winner (ties: the lowest index wins),
 *   blockVal[b]  the value kept there (h itself for |.| mode, max(h, 0) for ReLU mode),
 *   blockMag[b]  its magnitude (>= 0), the key the top-k step ranks blocks by.
 * ReLU mode ranks by max(h, 0), so a block with no positive entry has magnitude 0.
 * With g not 0 the code is h + mu g, computed as it is read (the bits of f32_waxpy_scalar), so
 * that NIHT's b = z + mu g is never written out.
 */
export function f32_block_max_scalar(
  h: usize, g: usize, mu: f32, kBegin: i32, kEnd: i32, Ho: i32, Wo: i32, ph: i32, pw: i32, relu: i32,
  blockVal: usize, blockMag: usize, blockIdx: usize,
): void {
  const Bh = (Ho + ph - 1) / ph;
  const Bw = (Wo + pw - 1) / pw;
  for (let k = kBegin; k < kEnd; k++) {
    for (let by = 0; by < Bh; by++) {
      f32_block_max_scalar_range(h, g, mu, k, Ho, Wo, ph, pw, relu, by, 0, Bw, (k * Bh + by) * Bw, blockVal, blockMag, blockIdx);
    }
  }
}
