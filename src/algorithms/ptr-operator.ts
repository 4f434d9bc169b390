// What the algorithms see of an operator: its sizes, a forward map and its adjoint, on buffers
// in linear memory (PyLops's LinearOperator, minus the copies). ConvOperator and CReluOperator
// provide these directly; any other LinearOperator (a stack of layers, or a user's own) is
// adapted by copying through JavaScript arrays.

import type { Engine } from '../instance.js';
import type { LinearOperator } from '../linear-operator.js';
import { operatorSizes, typeError } from '../validate.js';

export interface PtrOperator {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputShape: readonly number[];
  forwardPtr(inPtr: number, outPtr: number): void;
  transposePtr(codePtr: number, outPtr: number): void;
  transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void;
  /**
   * Allocate now whatever sparse transposes of up to nnz non-zeros will need, so that a caller
   * planning its memory all at once (inside heap.atomically) has nothing left to grow mid-run.
   */
  reserve(nnz: number): void;
  /** Bytes that identify the linear map (its weights, or its response to a fixed probe): for fingerprints of studies. */
  identity(): Uint8Array;
}

/** An operator backed by this engine's kernels (implements the pointer paths itself). */
export interface EngineOperator extends LinearOperator {
  readonly engine: Engine;
  forwardPtr(inPtr: number, outPtr: number): void;
  transposePtr(codePtr: number, outPtr: number): void;
  transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void;
  reserveSparse(nnz: number): void;
  /** The weights (and what else defines the map) as bytes. */
  identity(): Uint8Array;
  live(where: string): void;
  /** Mark as in use by a running call: until unpin(), dispose() and new weights are refused. */
  pin(where: string): void;
  unpin(): void;
}

export function isEngineOperator(op: unknown): op is EngineOperator {
  const o = op as Partial<EngineOperator>;
  return typeof o === 'object' && o !== null && typeof o.forwardPtr === 'function' &&
    typeof o.transposeSparsePtr === 'function' && typeof o.pin === 'function' && o.engine !== undefined;
}

/**
 * Validate `op` and return a pointer-level view of it plus a release() that ends its use. An
 * operator of this engine is pinned for the call (a callback cannot free or re-weight it under
 * the run); any other LinearOperator is read once: its sizes and methods are taken here, checked,
 * and only this snapshot is used, whatever its getters answer later.
 */
export function ptrOperator(engine: Engine, where: string, op: unknown): PtrOperator & { release(): void } {
  if (isEngineOperator(op)) {
    if (op.engine !== engine) {
      op.live(where);
      throw new TypeError(`convcs.${where}: the operator belongs to a different convcs instance (load())`);
    }
    op.pin(where);
    let pinned = true;
    return {
      inputSize: op.inputSize,
      outputSize: op.outputSize,
      outputShape: op.outputShape,
      forwardPtr: (i, o) => op.forwardPtr(i, o),
      transposePtr: (c, o) => op.transposePtr(c, o),
      transposeSparsePtr: (i, v, n, o) => op.transposeSparsePtr(i, v, n, o),
      reserve: (nnz) => op.reserveSparse(nnz),
      identity: () => op.identity(),
      release() {
        if (pinned) op.unpin();
        pinned = false;
      },
    };
  }
  const map = copyingMap(engine, op, where);
  return { ...map, reserve: map.reserveSparse, release: map.release };
}

/** A layer's pointer maps as a stack runs them: an operator of this instance, or a copying adapter. */
export interface LayerMap {
  forwardPtr(inPtr: number, outPtr: number): void;
  transposePtr(codePtr: number, outPtr: number): void;
  transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void;
  reserveSparse(nnz: number): void;
  identity(): Uint8Array;
  live?(where: string): void;
  pin?(where: string): void;
  unpin?(): void;
  release?(): void;
}

/**
 * Any other LinearOperator, read once: its sizes and methods are taken here, checked, and only
 * this snapshot is used, whatever its getters answer later. Its maps copy through JavaScript
 * arrays; a sparse code is scattered into a dense one (a buffer allocated at first use).
 */
export function copyingMap(engine: Engine, op: unknown, where: string): LayerMap & Pick<PtrOperator, 'inputSize' | 'outputSize' | 'outputShape'> & { release(): void } {
  if (typeof op !== 'object' || op === null) {
    throw typeError(where, 'the operator', 'a LinearOperator (forward, transpose, inputSize, outputSize, outputShape)', op);
  }
  const o = op as Partial<LinearOperator>;
  const forward: unknown = o.forward;
  const transpose: unknown = o.transpose;
  const inputSize: unknown = o.inputSize;
  const outputSize: unknown = o.outputSize;
  const shapeRead: unknown = o.outputShape;
  if (typeof forward !== 'function' || typeof transpose !== 'function' || !Number.isInteger(inputSize) ||
    !Number.isInteger(outputSize) || !Array.isArray(shapeRead)) {
    throw typeError(where, 'the operator', 'a LinearOperator (forward, transpose, inputSize, outputSize, outputShape)', op);
  }
  const n = inputSize as number;
  const m = outputSize as number;
  const outputShape: readonly number[] = Object.freeze(Array.from(shapeRead as unknown[], (d) => d as number));
  // The kernels size their buffers from these numbers: a shape that does not hold outputSize
  // values would make them read and write past the end.
  operatorSizes(where, n, m, outputShape);
  const check = (name: string, got: unknown, length: number): Float32Array => {
    if (!(got instanceof Float32Array) || got.length !== length) throw typeError(where, `the operator's ${name} result`, `a Float32Array of length ${length}`, got);
    return got;
  };
  let dense = 0;
  const reserveSparse = (): void => {
    if (dense !== 0) return;
    [dense] = engine.allocAll([m * 4]) as [number];
    engine.heap.onRefusal(() => (dense = 0)); // a refused plan takes the block back
  };
  const transposePtr = (codePtr: number, outPtr: number): void => {
    const x = check('transpose', (transpose as LinearOperator['transpose']).call(op, engine.f32(codePtr, m).slice()), n);
    engine.f32(outPtr, n).set(x);
  };
  return {
    inputSize: n,
    outputSize: m,
    outputShape,
    forwardPtr(inPtr, outPtr) {
      const h = check('forward', (forward as LinearOperator['forward']).call(op, engine.f32(inPtr, n).slice()), m);
      engine.f32(outPtr, m).set(h);
    },
    transposePtr,
    transposeSparsePtr(idxPtr, valPtr, nnz, outPtr) {
      reserveSparse();
      engine.f32(dense, m).fill(0);
      engine.k.scatterAdd(idxPtr, valPtr, nnz, dense);
      transposePtr(dense, outPtr);
    },
    reserveSparse,
    identity() {
      // its answer to a fixed probe, computed in JavaScript (nothing in linear memory)
      const probe = new Float32Array(n);
      let state = 0x9e3779b9;
      for (let i = 0; i < n; i++) {
        state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
        probe[i] = state / 2 ** 32 - 0.5;
      }
      const h = check('forward', (forward as LinearOperator['forward']).call(op, probe), m);
      return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
    },
    release() {
      if (dense !== 0) engine.heap.release(dense);
      dense = 0;
    },
  };
}
