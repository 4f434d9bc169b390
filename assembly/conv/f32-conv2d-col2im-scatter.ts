// Shared by the dense and sparse transposed-convolution micro-kernels: where a code pixel's
// receptive field starts in the channel-last padded accumulator, and how a tile of 8 columns is
// added into it.

/** Byte offset, in the channel-last padded accumulator, of the top-left tap of code pixel p. */
// @ts-ignore: decorator
@inline
export function pixelOffsetHwc(p: i32, Wo: i32, sh: i32, sw: i32, Wp: i32, M: i32): usize {
  const oy = p / Wo;
  const ox = p - oy * Wo;
  return <usize>((oy * sh * Wp + ox * sw) * M) << 2;
}

/**
 * Add 8 column sums (at src) into dst at the float offsets offs[0..8); offsets of -1 (the zero
 * padding of the last panel) end the tile.
 */
// @ts-ignore: decorator
@inline
export function scatterColumns(dst: usize, offs: usize, src: usize): void {
  for (let c = 0; c < 8; c++) {
    const o = load<i32>(offs + (<usize>c << 2));
    if (o < 0) break; // padding columns only ever trail the last panel
    const d = dst + (<usize>o << 2);
    store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>c << 2)));
  }
}
