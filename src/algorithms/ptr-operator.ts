// What the algorithms see of an operator: its sizes, a forward map and its adjoint, on buffers
// in linear memory (PyLops's LinearOperator, minus the copies). ConvOperator and CReluOperator
// provide these directly; any other LinearOperator (a stack of layers, or a user's own) is
// adapted by copying through JavaScript arrays.

import type { Engine } from '../instance.js';
import type { LinearOperator } from '../operator.js';
import { operatorSizes, typeError } from '../validate.js';

export interface PtrOperator {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputShape: readonly number[];
  forwardPtr(inPtr: number, outPtr: number): void;
  transposePtr(codePtr: number, outPtr: number): void;
  transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void;
}

/** An operator backed by this engine's kernels (implements the pointer paths itself). */
export interface EngineOperator extends LinearOperator, PtrOperator {
  readonly engine: Engine;
  live(where: string): void;
}

function isEngineOperator(op: unknown): op is EngineOperator {
  const o = op as Partial<EngineOperator>;
  return typeof o === 'object' && o !== null && typeof o.forwardPtr === 'function' &&
    typeof o.transposeSparsePtr === 'function' && typeof o.live === 'function' && o.engine !== undefined;
}

/** Validate `op` and return a pointer-level view of it plus a release() for adapter scratch. */
export function ptrOperator(engine: Engine, where: string, op: unknown): PtrOperator & { release(): void } {
  if (isEngineOperator(op)) {
    op.live(where);
    if (op.engine !== engine) throw new TypeError(`convcs.${where}: the operator belongs to a different convcs instance (load())`);
    return {
      inputSize: op.inputSize,
      outputSize: op.outputSize,
      outputShape: op.outputShape,
      forwardPtr: (i, o) => op.forwardPtr(i, o),
      transposePtr: (c, o) => op.transposePtr(c, o),
      transposeSparsePtr: (i, v, n, o) => op.transposeSparsePtr(i, v, n, o),
      release() {},
    };
  }
  const o = op as Partial<LinearOperator>;
  if (typeof o !== 'object' || o === null || typeof o.forward !== 'function' || typeof o.transpose !== 'function' ||
    !Number.isInteger(o.inputSize) || !Number.isInteger(o.outputSize) || !Array.isArray(o.outputShape)) {
    throw typeError(where, 'the operator', 'a LinearOperator (forward, transpose, inputSize, outputSize, outputShape)', op);
  }
  const lin = o as LinearOperator;
  // The kernels size their buffers from these numbers: a shape that does not hold outputSize
  // values would make them read and write past the end.
  operatorSizes(where, lin.inputSize, lin.outputSize, lin.outputShape);
  const [dense] = engine.allocAll([lin.outputSize * 4]) as [number];
  const check = (name: string, got: Float32Array, n: number): Float32Array => {
    if (!(got instanceof Float32Array) || got.length !== n) throw typeError(where, `the operator's ${name} result`, `a Float32Array of length ${n}`, got);
    return got;
  };
  return {
    inputSize: lin.inputSize,
    outputSize: lin.outputSize,
    outputShape: lin.outputShape,
    forwardPtr(inPtr, outPtr) {
      const h = check('forward', lin.forward(engine.f32(inPtr, lin.inputSize).slice()), lin.outputSize);
      engine.f32(outPtr, lin.outputSize).set(h);
    },
    transposePtr(codePtr, outPtr) {
      const x = check('transpose', lin.transpose(engine.f32(codePtr, lin.outputSize).slice()), lin.inputSize);
      engine.f32(outPtr, lin.inputSize).set(x);
    },
    transposeSparsePtr(idxPtr, valPtr, nnz, outPtr) {
      engine.f32(dense, lin.outputSize).fill(0);
      engine.k.scatterAdd(idxPtr, valPtr, nnz, dense);
      this.transposePtr(dense, outPtr);
    },
    release() {
      engine.heap.release(dense);
    },
  };
}
