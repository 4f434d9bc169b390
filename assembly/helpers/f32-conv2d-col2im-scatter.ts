// Shared by the dense and sparse transposed-convolution micro-kernels: where a code pixel's
// receptive field starts in the channel-last padded accumulator, and how a tile of 8 columns is
// added into it.

import { scratch, SCRATCH_TILE_8 } from "./instance-scratch";

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

/** scatterColumns, adding only the columns whose address lies in [bandLo, bandHi). */
// @ts-ignore: decorator
@inline
function scatterColumnsBand(dst: usize, offs: usize, src: usize, bandLo: usize, bandHi: usize): void {
  for (let c = 0; c < 8; c++) {
    const o = load<i32>(offs + (<usize>c << 2));
    if (o < 0) break;
    const d = dst + (<usize>o << 2);
    if (d >= bandLo && d < bandHi) store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>c << 2)));
  }
}

/**
 * Add one 8-column sub-block (lo, hi) of a pixel whose receptive field starts at d, into the
 * accumulator rows whose addresses are [bandLo, bandHi) only (a thread's band of rows; the
 * whole surviving window on one thread): one vector add pair when its columns are consecutive
 * floats inside the band, else column by column.
 */
// @ts-ignore: decorator
@inline
export function scatter8(d: usize, offs: usize, lo: v128, hi: v128, bandLo: usize, bandHi: usize): void {
  const o0 = load<i32>(offs);
  const o7 = load<i32>(offs, 28);
  if (o0 < 0) return;
  const dd = d + (<usize>o0 << 2);
  if (o7 >= 0 && o7 - o0 == 7) { // see f32_conv2d_transpose_4x8_simd
    if (dd >= bandLo && dd + 32 <= bandHi) {
      v128.store(dd, f32x4.add(v128.load(dd), lo));
      v128.store(dd, f32x4.add(v128.load(dd, 16), hi), 16);
      return;
    }
    if (dd + 32 <= bandLo || dd >= bandHi) return;
  }
  const tile = scratch + SCRATCH_TILE_8;
  v128.store(tile, lo);
  v128.store(tile, hi, 16);
  scatterColumnsBand(d, offs, tile, bandLo, bandHi);
}
