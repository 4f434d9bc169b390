// Section 3.1: with concatenated ReLU a layer uses the pair [W; -W]. crelu(W) is that operator:
// forward gives [W x; -W x] (output channels doubled), transpose gives W^T (z_+ - z_-).
// With mode 'relu' in the projection this is a CReLU layer with tied decoding weights.

import type { ConvOperator } from '../conv/operator.js';
import { LinearMemoryOperator } from '../linear-operator.js';
import { rangeError, typeError } from '../validate.js';

/**
 * The operator [W; -W] of section 3.1 (made by `cs.crelu(W)`): output channels doubled.
 * Disposing it frees its own scratch, not the convolution's.
 * @example
 * const C = cs.crelu(W);
 * const { relativeError } = cs.reconstruct(C, x, { pool: 1, mode: 'relu' });
 */
export class CReluOperator extends LinearMemoryOperator {
  /** @internal */
  protected readonly kind = 'crelu';
  readonly base: ConvOperator;
  /** Floats in one half of a code (W's output size). */
  readonly #half: number;
  /** z_+ - z_- of one code (allocated at first use, like every buffer of the view). */
  #difference = 0;

  /** @internal use cs.crelu */
  constructor(base: ConvOperator) {
    super(base.engine, base.inputShape, [2 * base.outputShape[0]!, ...base.outputShape.slice(1)]);
    this.base = base;
    this.#half = base.outputSize;
    this.growable({ idx: 4, val: 4 });
  }

  /**
   * The view's buffers, at first use rather than at cs.crelu(W): a call that plans its memory
   * (inside heap.atomically, through reserveSparse) then takes them back if it is refused.
   * @internal
   */
  protected override prepare(): void {
    if (!this.allocated) this.#difference = this.allocate({ difference: this.#half * 4 }).difference;
  }

  /** @internal the view and its base are both usable */
  override live(where: string): void {
    super.live(where);
    this.base.live(where);
  }

  /** @internal the base's identity with a marker: [W; -W] is not W */
  identity(): Uint8Array {
    const base = this.base.identity();
    const out = new Uint8Array(base.length + 5);
    out.set([0x63, 0x72, 0x65, 0x6c, 0x75]); // 'crelu'
    out.set(base, 5);
    return out;
  }

  /** @internal a running call uses this view, and so its base operator */
  override pin(where: string): void {
    super.pin(where);
    this.base.pin(where);
  }

  /** @internal */
  override unpin(): void {
    super.unpin();
    this.base.unpin();
  }

  /** @internal the scratch of transposes of codes of up to nnz non-zeros, allocated now */
  reserveSparse(nnz: number): void {
    this.prepare();
    this.grow(nnz);
    this.base.reserveSparse(nnz);
  }

  /** @internal */
  forwardPtr(inPtr: number, outPtr: number): void {
    this.base.forwardPtr(inPtr, outPtr);
    const lower = outPtr + this.#half * 4;
    this.engine.k.copy(lower, outPtr, this.#half * 4);
    this.engine.k.scal(-1, lower, this.#half);
  }

  /** @internal */
  transposePtr(codePtr: number, outPtr: number): void {
    this.prepare();
    this.engine.k.sub(codePtr, codePtr + this.#half * 4, this.#difference, this.#half); // z_+ - z_-
    this.base.transposePtr(this.#difference, outPtr);
  }

  /** @internal */
  transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void {
    this.grow(nnz);
    const { idx, val } = this.grown as { idx: number; val: number };
    const si = this.engine.i32(idxPtr, nnz);
    const sv = this.engine.f32(valPtr, nnz);
    const di = this.engine.i32(idx, nnz);
    const dv = this.engine.f32(val, nnz);
    for (let j = 0; j < nnz; j++) {
      const i = si[j]!;
      const lowerHalf = i >= this.#half;
      di[j] = lowerHalf ? i - this.#half : i;
      dv[j] = lowerHalf ? -sv[j]! : sv[j]!;
    }
    this.base.transposeSparsePtr(idx, val, nnz, outPtr);
  }

  /**
   * Finite halves whose difference overflows float32: said here, in the caller's terms, not as
   * a bad input to the base operator.
   * @internal
   */
  protected override checkCodes(where: string, z: Float32Array): void {
    const n = this.outputSize;
    for (let s = 0; s < z.length; s += n) {
      for (let i = 0; i < this.#half; i++) {
        const j = s + i;
        const v = Math.fround(z[j]! - z[j + this.#half]!);
        if (v - v !== 0) {
          throw rangeError(where, `z[${j}] - z[${j + this.#half}] = ${z[j]} - (${z[j + this.#half]}) overflows float32; the two halves of a CReLU code are subtracted`);
        }
      }
    }
  }
}

export function crelu(W: unknown): CReluOperator {
  const op = W as ConvOperator;
  if (typeof op !== 'object' || op === null || typeof op.forwardPtr !== 'function' || !('geometry' in op)) {
    throw typeError('crelu', 'W', 'a convolution operator (cs.conv1d / cs.conv2d)', W);
  }
  op.live('crelu');
  return new CReluOperator(op);
}

