// Step three of M(h, k), and max-pooling's unpool: write the kept block winners into a dense,
// zeroed code and list its support.

/**
 * z (length n) is zeroed, then z[blockIdx[b]] = blockVal[b] for each selected block b in sel.
 * support receives the flat indices in ascending order (the selected blocks arrive in block
 * order, which is already sorted up to the blocks of one row of a filter map, so an insertion
 * sort finishes in O(count * blocks per row)).
 */
export function f32_block_scatter_scalar(
  sel: usize, count: i32, blockVal: usize, blockIdx: usize,
  z: usize, n: i32, support: usize,
): void {
  memory.fill(z, 0, <usize>n << 2);
  for (let j = 0; j < count; j++) {
    const b = load<i32>(sel + (<usize>j << 2));
    const i = load<i32>(blockIdx + (<usize>b << 2));
    store<f32>(z + (<usize>i << 2), load<f32>(blockVal + (<usize>b << 2)));
    let pos = j;
    while (pos > 0 && load<i32>(support + (<usize>(pos - 1) << 2)) > i) {
      store<i32>(support + (<usize>pos << 2), load<i32>(support + (<usize>(pos - 1) << 2)));
      pos--;
    }
    store<i32>(support + (<usize>pos << 2), i);
  }
}

/** Gather the values of z at the given support (the compact form the sparse transpose takes). */
export function f32_gather_scalar(z: usize, support: usize, count: i32, out: usize): void {
  for (let j = 0; j < count; j++) {
    const i = load<i32>(support + (<usize>j << 2));
    store<f32>(out + (<usize>j << 2), load<f32>(z + (<usize>i << 2)));
  }
}

/**
 * Unpool: out (length n) is zeroed, then out[pos[b]] = pooled[b] for every block b.
 * Switch unpooling passes the winners' indices as pos; naive unpooling (the paper's
 * experiments) passes each block's first element.
 */
export function f32_unpool_scalar(pooled: usize, pos: usize, B: i32, out: usize, n: i32): void {
  memory.fill(out, 0, <usize>n << 2);
  for (let b = 0; b < B; b++) {
    const i = load<i32>(pos + (<usize>b << 2));
    store<f32>(out + (<usize>i << 2), load<f32>(pooled + (<usize>b << 2)));
  }
}

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
