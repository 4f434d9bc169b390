// The first flat index of every pooling block (ceil mode, as f32-block-max-scalar).

/** First (top-left) element of every ph x pw block of h[K][Ho][Wo], in block order. */
export function i32_block_first_scalar(K: i32, Ho: i32, Wo: i32, ph: i32, pw: i32, out: usize): void {
  const Bh = (Ho + ph - 1) / ph;
  const Bw = (Wo + pw - 1) / pw;
  let b = 0;
  for (let k = 0; k < K; k++) {
    for (let by = 0; by < Bh; by++) {
      for (let bx = 0; bx < Bw; bx++) {
        store<i32>(out + (<usize>b << 2), (k * Ho + by * ph) * Wo + bx * pw);
        b++;
      }
    }
  }
}
