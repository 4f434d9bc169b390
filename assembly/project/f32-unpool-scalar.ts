// Max-unpooling: pooled values back to the positions their switches recorded.

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
