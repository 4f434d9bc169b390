// What the calling thread and the threads of a team share: one control block (Int32 slots on a
// SharedArrayBuffer) and a table of kernel calls (Float64 slots after it). A job is a list of
// calls; every thread, the caller included, claims the next unclaimed call until none is left.
// Who runs which call never changes a result: each call writes its own part of the output.

import { SCALAR_KERNELS, SIMD_KERNELS } from '../generated/kernel-names.js';

/** The functions a job may call, by index: every kernel, then the module's bulk moves. */
export const CALLABLE: readonly string[] = [...SCALAR_KERNELS, ...SIMD_KERNELS, 'copy', 'zero'];
export type Callable = string;

/** Int32 slots of the control block. */
export const Slot = {
  /** Bumped for every job: threads sleep on it (Atomics.wait) between jobs. */
  Generation: 0,
  /** 1: the team is closing; every thread returns. */
  Stop: 1,
  /** Calls in the current job. */
  Count: 2,
  /** The job's tag and the index of its next unclaimed call (claimWord). */
  Next: 3,
  /** Calls finished (or failed). */
  Done: 4,
  /** 0, or 1 + the index of the first call that threw. */
  Failed: 5,
  /** Bytes of the first failure's message (UTF-8, at MESSAGE_OFFSET). */
  MessageBytes: 6,
  /** Test hook (testing.ts): the index of the thread that must fail at its next call, plus one (0: none). */
  FaultThread: 7,
  /** Test hook: 1 the call throws, 2 the thread exits. */
  FaultMode: 8,
} as const;

export const CONTROL_SLOTS = 16;
export const MESSAGE_OFFSET = CONTROL_SLOTS * 4;
export const MESSAGE_BYTES = 1024;
/** Float64 slots per call: the callable's index, its argument count, then its arguments. */
export const CALL_SLOTS = 24;
export const MAX_ARGS = CALL_SLOTS - 2;
/** Calls in one job at most (a job has about one per thread). */
export const MAX_CALLS = 256;
/** The low bits of Next: the call index. */
export const INDEX_MASK = 0xffff;

/** Next as published for a job: its generation's low 15 bits as a tag, above the call index. */
export function claimWord(generation: number, index: number): number {
  return ((generation & 0x7fff) << 16) | index;
}
export const TABLE_OFFSET = MESSAGE_OFFSET + MESSAGE_BYTES;
export const CONTROL_BYTES = TABLE_OFFSET + MAX_CALLS * CALL_SLOTS * 8;

/** What a thread is sent once, at start. */
export interface ThreadInit {
  type: 'thread';
  index: number;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** This thread's micro-kernel scratch in linear memory (setInstanceScratch). */
  scratch: number;
}
