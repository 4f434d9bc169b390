// Section 3.1: with concatenated ReLU a layer uses the pair [W; -W]. crelu(W) is that operator:
// forward gives [W x; -W x] (output channels doubled), transpose gives W^T (z_+ - z_-).
// With mode 'relu' in the projection this is a CReLU layer with tied decoding weights.

import type { Engine } from '../instance.js';
import type { ConvOperator, LinearOperator } from '../operator.js';
import { float32Batch, outputBuffer, overlaps, rangeError, typeError } from '../validate.js';

/**
 * The operator [W; -W] of section 3.1 (made by `cs.crelu(W)`): output channels doubled.
 * @example
 * const C = cs.crelu(W);
 * const { relativeError } = cs.reconstruct(C, x, { pool: 1, mode: 'relu' });
 */
export class CReluOperator implements LinearOperator {
  readonly base: ConvOperator;
  /** @internal */
  readonly engine: Engine;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly half: number;
  private scratch = 0;
  private sparseCap = 0;
  private sparseIdx = 0;
  private sparseVal = 0;
  private readonly token = {};

  /** @internal use cs.crelu */
  constructor(base: ConvOperator) {
    this.base = base;
    this.engine = base.engine;
    this.inputShape = base.inputShape;
    this.outputShape = Object.freeze([2 * base.outputShape[0]!, ...base.outputShape.slice(1)]);
    this.inputSize = base.inputSize;
    this.half = base.outputSize;
    this.outputSize = 2 * base.outputSize;
  }

  /** @internal */
  live(where: string): void {
    this.base.live(where);
  }

  private pins = 0;

  /** @internal the base's identity with a marker: [W; -W] is not W */
  identity(): Uint8Array {
    const base = this.base.identity();
    const out = new Uint8Array(base.length + 5);
    out.set([0x63, 0x72, 0x65, 0x6c, 0x75]); // 'crelu'
    out.set(base, 5);
    return out;
  }

  /** @internal a running call uses this view, and so its base operator */
  pin(where: string): void {
    this.base.pin(where);
    this.pins++;
  }

  /** @internal */
  unpin(): void {
    this.pins--;
    this.base.unpin();
  }

  /** @internal the scratch of transposes of codes of up to nnz non-zeros, allocated now */
  reserveSparse(nnz: number): void {
    this.halfScratch();
    this.growSparse(nnz);
    this.base.reserveSparse(nnz);
  }

  private growSparse(nnz: number): void {
    if (nnz <= this.sparseCap) return;
    const capacity = Math.max(nnz, 64);
    const fresh = this.engine.allocAll([capacity * 4, capacity * 4]) as [number, number];
    const before = { idx: this.sparseIdx, val: this.sparseVal, cap: this.sparseCap };
    this.engine.heap.onRefusal(() => {
      [this.sparseIdx, this.sparseVal, this.sparseCap] = [before.idx, before.val, before.cap];
      this.track();
    });
    if (this.sparseCap > 0) {
      this.engine.heap.release(this.sparseIdx);
      this.engine.heap.release(this.sparseVal);
    }
    [this.sparseIdx, this.sparseVal] = fresh;
    this.sparseCap = capacity;
    this.track();
  }

  private halfScratch(): number {
    if (this.scratch === 0) {
      [this.scratch] = this.engine.allocAll([this.half * 4]) as [number];
      this.engine.heap.onRefusal(() => {
        this.scratch = 0;
        this.track();
      });
      this.track();
    }
    return this.scratch;
  }

  /** Keep the registry's list of this view's scratch current (freed if the view is collected). */
  private track(): void {
    creluRegistry?.unregister(this.token);
    const ptrs = [this.scratch, this.sparseIdx, this.sparseVal].filter((p) => p !== 0);
    if (ptrs.length > 0) creluRegistry?.register(this, { engine: this.engine, ptrs }, this.token);
  }

  /** @internal */
  forwardPtr(inPtr: number, outPtr: number): void {
    this.base.forwardPtr(inPtr, outPtr);
    const lower = outPtr + this.half * 4;
    this.engine.k.copy(lower, outPtr, this.half * 4);
    this.engine.k.scal(-1, lower, this.half);
  }

  /** @internal */
  transposePtr(codePtr: number, outPtr: number): void {
    const d = this.halfScratch();
    this.engine.k.sub(codePtr, codePtr + this.half * 4, d, this.half); // z_+ - z_-
    this.base.transposePtr(d, outPtr);
  }

  /** @internal */
  transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void {
    this.growSparse(nnz);
    const si = this.engine.i32(idxPtr, nnz);
    const sv = this.engine.f32(valPtr, nnz);
    const di = this.engine.i32(this.sparseIdx, nnz);
    const dv = this.engine.f32(this.sparseVal, nnz);
    for (let j = 0; j < nnz; j++) {
      const i = si[j]!;
      const lowerHalf = i >= this.half;
      di[j] = lowerHalf ? i - this.half : i;
      dv[j] = lowerHalf ? -sv[j]! : sv[j]!;
    }
    this.base.transposeSparsePtr(this.sparseIdx, this.sparseVal, nnz, outPtr);
  }

  /**
   * [W x; -W x] for one input or a batch.
   * @example
   * const h = C.forward(x); // length 2 * W.outputSize per sample
   */
  forward(x: Float32Array, out?: Float32Array): Float32Array {
    const where = 'crelu.forward';
    this.live(where);
    const N = float32Batch(where, 'x', x, this.inputSize);
    const result = outputBuffer(where, out, N * this.outputSize);
    const src = overlaps(x, result) ? x.slice() : x;
    const h = this.base.forward(src);
    for (let s = 0; s < N; s++) {
      const part = h.subarray(s * this.half, (s + 1) * this.half);
      result.set(part, s * this.outputSize);
      for (let i = 0; i < this.half; i++) result[s * this.outputSize + this.half + i] = -part[i]!;
    }
    return result;
  }

  /**
   * W^T (z_+ - z_-), the adjoint of forward.
   * @example
   * const x = C.transpose(h);
   */
  transpose(z: Float32Array, out?: Float32Array): Float32Array {
    const where = 'crelu.transpose';
    this.live(where);
    const N = float32Batch(where, 'z', z, this.outputSize);
    const d = new Float32Array(N * this.half);
    for (let s = 0; s < N; s++) {
      for (let i = 0; i < this.half; i++) {
        const j = s * this.outputSize + i;
        d[s * this.half + i] = z[j]! - z[j + this.half]!;
        const v = d[s * this.half + i]!; // as stored, in float32
        // finite halves (float32Batch checked) whose difference overflows float32: say so here,
        // in the caller's terms, not as a bad input to the base operator
        if (v - v !== 0) {
          throw rangeError(where, `z[${j}] - z[${j + this.half}] = ${z[j]} - (${z[j + this.half]}) overflows float32; the two halves of a CReLU code are subtracted`);
        }
      }
    }
    return this.base.transpose(d, out === undefined ? undefined : outputBuffer(where, out, N * this.inputSize));
  }

  /** Free the scratch of this view (the base operator is not disposed). */
  dispose(): void {
    if (this.pins > 0) {
      throw new TypeError('convcs.crelu.dispose: this view is in use by a running call (iht, rip, sparseCode...); dispose it after that call returns, not from its callback');
    }
    creluRegistry?.unregister(this.token);
    for (const p of [this.scratch, this.sparseIdx, this.sparseVal]) if (p) this.engine.heap.release(p);
    this.scratch = this.sparseIdx = this.sparseVal = 0;
    this.sparseCap = 0;
  }

  /** The same as dispose(), for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

// As for ConvOperator: scratch of views nobody disposed goes back when they are collected.
const creluRegistry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ engine: Engine; ptrs: number[] }>(({ engine, ptrs }) => {
    for (const p of ptrs) engine.heap.release(p);
  })
  : undefined;

export function crelu(W: unknown): CReluOperator {
  const op = W as ConvOperator;
  if (typeof op !== 'object' || op === null || typeof op.forwardPtr !== 'function' || !('geometry' in op)) {
    throw typeError('crelu', 'W', 'a convolution operator (cs.conv1d / cs.conv2d)', W);
  }
  op.live('crelu');
  return new CReluOperator(op);
}

