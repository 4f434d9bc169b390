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
