// The micro-kernels' spill tiles. Instances that share one linear memory (the threads of a
// team) each need their own, so a tile lives at a per-instance address (a wasm global belongs to
// its instance), not in static data: the static block serves an instance's first use, and
// setScratch (module.ts) points each thread's instance at a block the facade allocated for it.

/** Bytes of one instance's scratch: the 4x8 tile, the 8-column scatter tile and the 1x24 rectangles. */
export const SCRATCH_BYTES: i32 = 512;
/** f32[4][8]: a 4 pixel x 8 channel tile (f32-conv2d-4x8-simd, f32-conv2d-transpose-4x8-simd). */
export const SCRATCH_TILE_4X8: usize = 0;
/** f32[8]: one 8-column tile for scatter8 (f32-conv2d-col2im-scatter). */
export const SCRATCH_TILE_8: usize = 128;
/** i32[16][4]: visited code rectangles of the sparse transposes (at most 16 groups). */
export const SCRATCH_RECTS: usize = 160;

export let scratch: usize = memory.data(SCRATCH_BYTES, 16);

/** Point this instance's scratch at `ptr` (16-byte aligned, SCRATCH_BYTES long). */
export function setInstanceScratch(ptr: usize): void {
  scratch = ptr;
}
