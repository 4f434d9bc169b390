// What the main thread and a convcs worker say to each other. Every message is structured-clone
// data (numbers, strings, bigints, typed arrays), so the same protocol runs over Node's
// worker_threads and over Web Workers.

import type { ThreadInit } from '../threads/protocol.js';
import type { ConvGeometry } from '../conv/geometry.js';
import type { Backend } from '../instance.js';
import type { RipPartial } from '../algorithms/rip.js';
import type { IhtResult } from '../algorithms/iht.js';
import type { RecoverMethod } from '../algorithms/methods.js';

/** An operator as data: enough to rebuild it, bit for bit, in another wasm instance. */
export type OperatorSpec =
  | { kind: 'conv'; dims: 1 | 2; geometry: ConvGeometry; weights: Float32Array }
  | { kind: 'crelu'; base: OperatorSpec }
  | { kind: 'stack'; layers: OperatorSpec[] };

/** A test-only fault: a worker fails when it reaches this trial (or input, for a recovery batch). */
export interface InjectedFault {
  at: number;
  /** 'throw' raises an Error in the task; 'exit' ends the worker thread abruptly; 'hang' never answers again. */
  mode: 'throw' | 'exit' | 'hang';
}

export type ToWorker =
  | { type: 'init'; backend: Backend; maxMemoryBytes: number }
  /** Become a thread of a team (src/threads/): this worker serves nothing else from then on. */
  | ThreadInit
  | { type: 'op'; id: number; spec: OperatorSpec }
  | { type: 'drop'; id: number }
  | { type: 'rip'; task: number; op: number; options: Record<string, unknown>; start: number; end: number; fault?: InjectedFault }
  | {
    type: 'recover'; task: number; op: number; method: RecoverMethod; options: Record<string, unknown>;
    xs: Float32Array; first: number; count: number; fault?: InjectedFault;
  };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type FromWorker =
  | { type: 'result'; task: number; rip?: RipPartial; recover?: IhtResult[] }
  /** A sign of life while a task runs (at most every ALIVE_EVERY_MS). */
  | { type: 'alive'; task: number }
  | { type: 'error'; task: number; error: SerializedError }
  /** The thread is instantiated and about to sleep until its first job. */
  | { type: 'thread-ready' }
  /** The worker's wasm instance could not start (load() failed there). */
  | { type: 'fatal'; error: SerializedError };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

/**
 * The worker's error as the caller's: a TypeError stays a TypeError and a RangeError a
 * RangeError (the library's contract for bad input), with the worker's message; the worker's
 * stack is kept after the caller's.
 */
export function deserializeError(e: SerializedError, where: string): Error {
  const make = e.name === 'TypeError' ? TypeError : e.name === 'RangeError' ? RangeError : Error;
  const err = new make(e.message);
  if (make === Error && e.name !== 'Error') err.name = e.name;
  if (e.stack) err.stack = `${err.stack ?? `${err.name}: ${err.message}`}\n    --- in ${where} ---\n${e.stack}`;
  return err;
}
