// Step one of the block-sparse projection M(h, k): in every pooling block of every filter map
// keep the entry of largest magnitude. A block is a ph x pw region of one filter's Ho x Wo map
// (partial regions at the right and bottom edges included: ceil mode); 'global' pooling is the
// special case ph = Ho, pw = Wo.

/**
 * For h[K][Ho][Wo] writes, per block b = (k*Bh + by)*Bw + bx:
 *   blockIdx[b]  flat index into h of the winner (ties: the lowest index wins),
 *   blockVal[b]  the value kept there (h itself for |.| mode, max(h, 0) for ReLU mode),
 *   blockMag[b]  its magnitude (>= 0), the key the top-k step ranks blocks by.
 * ReLU mode ranks by max(h, 0), so a block with no positive entry has magnitude 0.
 */
export function f32_block_max_scalar(
  h: usize, K: i32, Ho: i32, Wo: i32, ph: i32, pw: i32, relu: i32,
  blockVal: usize, blockMag: usize, blockIdx: usize,
): void {
  const Bh = (Ho + ph - 1) / ph;
  const Bw = (Wo + pw - 1) / pw;
  for (let k = 0; k < K; k++) {
    for (let by = 0; by < Bh; by++) {
      f32_block_max_scalar_range(h, k, Ho, Wo, ph, pw, relu, by, 0, Bw, (k * Bh + by) * Bw, blockVal, blockMag, blockIdx);
    }
  }
}

/**
 * Blocks bx0 .. Bw-1 of block row `by` of filter map k, the first of them stored at block b.
 * The whole scalar computation, and the edge blocks of f32-block-max-2x2-4x-simd.
 */
export function f32_block_max_scalar_range(
  h: usize, k: i32, Ho: i32, Wo: i32, ph: i32, pw: i32, relu: i32,
  by: i32, bx0: i32, Bw: i32, b: i32,
  blockVal: usize, blockMag: usize, blockIdx: usize,
): void {
  const mapBase = k * Ho * Wo;
  const y0 = by * ph;
  const y1 = min(y0 + ph, Ho);
  for (let bx = bx0; bx < Bw; bx++) {
    const x0 = bx * pw;
    const x1 = min(x0 + pw, Wo);
    let bestIdx = mapBase + y0 * Wo + x0;
    let bestMag: f32 = -1;
    let bestVal: f32 = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = mapBase + y * Wo + x;
        const v = load<f32>(h + (<usize>i << 2));
        const kept: f32 = relu ? max<f32>(v, 0) : v;
        const mag: f32 = relu ? kept : abs<f32>(v);
        // Row-major order visits flat indices in increasing order, so a strict '>'
        // leaves ties with the lowest index.
        if (mag > bestMag) {
          bestMag = mag;
          bestVal = kept;
          bestIdx = i;
        }
      }
    }
    store<i32>(blockIdx + (<usize>b << 2), bestIdx);
    store<f32>(blockVal + (<usize>b << 2), bestVal);
    store<f32>(blockMag + (<usize>b << 2), bestMag);
    b++;
  }
}
