// The scalar block maxima over a range of blocks: f32-block-max-scalar's loop, also the edge
// handler of the 2x2 SIMD kernel.

/**
 * Blocks bx0 .. Bw-1 of block row `by` of filter map k, the first of them stored at block b.
 * The whole scalar computation, and the edge blocks of f32-block-max-2x2-4x-simd. The code is
 * h, or h + mu g when g is not 0 (NIHT's z + mu g, never written out).
 */
export function f32_block_max_scalar_range(
  h: usize, g: usize, mu: f32, k: i32, Ho: i32, Wo: i32, ph: i32, pw: i32, relu: i32,
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
        const o = <usize>i << 2;
        const v: f32 = g != 0 ? load<f32>(h + o) + mu * load<f32>(g + o) : load<f32>(h + o);
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
