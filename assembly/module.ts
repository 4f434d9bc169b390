// What every module exports beside its kernels (re-exported by the generated entries in
// build/abi/): which module this is, where the facade's heap starts, and bulk memory moves.

/** 0 in the scalar module, 1 in the SIMD one, 2 in the relaxed-SIMD one. */
export function simd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 2 : ASC_FEATURE_SIMD ? 1 : 0;
}

/** First free byte after the module's static data: the facade's allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}

/** memmove within linear memory. */
export function copy(dst: usize, src: usize, bytes: usize): void {
  memory.copy(dst, src, bytes);
}

/** memset to zero within linear memory (cheaper than a fresh JavaScript view per call). */
export function zero(dst: usize, bytes: usize): void {
  memory.fill(dst, 0, bytes);
}

/**
 * Point this instance's micro-kernel scratch at `ptr` (SCRATCH_BYTES at 16-byte alignment): each
 * thread of a team has its own instance on the shared memory, and its own scratch.
 */
export { setInstanceScratch, SCRATCH_BYTES } from "./helpers/instance-scratch";
