// Several layers (the paper's multi-layer extension of Theorem 3.3): encoding goes down with a
// projection after every layer, z_i = M(W_i z_{i-1}, k_i) with z_0 = x, and decoding comes back
// up through the transposes, x^ = W_1^T W_2^T ... W_L^T z_L. As a linear operator a stack is the
// composition W_L ... W_1 (forward) and W_1^T ... W_L^T (transpose).

import type { Engine } from '../instance.js';
import { LinearMemoryOperator, type LinearOperator } from '../linear-operator.js';
import { copyingMap, isEngineOperator, type LayerMap } from './ptr-operator.js';
import { project } from '../projection.js';
import { checkOptions, float32Exact, rangeError, typeError } from '../validate.js';
import type { SparsityOptions } from './sparsity.js';

export interface StackEncodeOptions {
  /** One sparsity model per layer (pool, k or density, mode). */
  layers: readonly SparsityOptions[];
}

export interface StackReconstruction {
  /** The code after each layer's projection, top layer last. */
  codes: Float32Array[];
  xHat: Float32Array;
  relativeError: number;
}

/**
 * Several layers, made by `cs.stack([W1, W2, ...])`.
 * @example
 * const S = cs.stack([W1, W2]);
 * const r = S.reconstruct(x, { layers: [{ pool: 2, density: 0.1 }, { pool: 2, k: 10 }] });
 */
export class Stack extends LinearMemoryOperator {
  /** @internal */
  protected readonly kind = 'stack';
  readonly layers: readonly LinearOperator[];
  /** Each layer's pointer maps: its own for operators of this instance, copies through JavaScript for others. */
  readonly #maps: readonly LayerMap[];
  /** Between layers i and i+1: layer i's output (forward) or input of layer i+1's transpose. */
  #between: number[] = [];

  /** @internal use cs.stack */
  constructor(engine: Engine, layers: unknown) {
    const where = 'stack';
    if (!Array.isArray(layers) || layers.length === 0) throw typeError(where, 'layers', 'a non-empty array of operators', layers);
    layers.forEach((l, i) => {
      const o = l as Partial<LinearOperator>;
      if (typeof o !== 'object' || o === null || typeof o.forward !== 'function' || typeof o.transpose !== 'function' || !Array.isArray(o.inputShape)) {
        throw typeError(where, `layers[${i}]`, 'an operator', l);
      }
      if (i > 0) {
        const prev = (layers[i - 1] as LinearOperator).outputShape;
        if (prev.join('x') !== o.inputShape!.join('x')) {
          throw rangeError(where, `layers[${i}] takes input ${o.inputShape!.join('x')} but layers[${i - 1}] gives ${prev.join('x')}`);
        }
      }
    });
    const list = Object.freeze([...layers]) as readonly LinearOperator[];
    super(engine, list[0]!.inputShape, list[list.length - 1]!.outputShape);
    this.layers = list;
    this.#maps = list.map((l, i) => (isEngineOperator(l) && l.engine === engine ? l : copyingMap(engine, l, `stack: layers[${i}]`)));
  }

  /** @internal buffers at first use, as a CReLU view (a refused call takes them back) */
  protected override prepare(): void {
    if (this.allocated) return;
    const sizes: Record<string, number> = {};
    this.layers.slice(0, -1).forEach((l, i) => (sizes[`between${i}`] = l.outputSize * 4));
    const ptrs = this.allocate(sizes);
    this.#between = this.layers.slice(0, -1).map((_, i) => ptrs[`between${i}`]!);
  }

  /** @internal every layer of this instance is usable too */
  override live(where: string): void {
    super.live(where);
    for (const m of this.#maps) m.live?.(where);
  }

  /** @internal a running call uses the stack, and so its layers */
  override pin(where: string): void {
    super.pin(where);
    for (const m of this.#maps) m.pin?.(where);
  }

  /** @internal */
  override unpin(): void {
    super.unpin();
    for (const m of this.#maps) m.unpin?.();
  }

  /** @internal */
  forwardPtr(inPtr: number, outPtr: number): void {
    this.prepare();
    const last = this.#maps.length - 1;
    this.#maps.forEach((m, i) => m.forwardPtr(i === 0 ? inPtr : this.#between[i - 1]!, i === last ? outPtr : this.#between[i]!));
  }

  /** @internal */
  transposePtr(codePtr: number, outPtr: number): void {
    this.prepare();
    for (let i = this.#maps.length - 1; i >= 0; i--) {
      this.#maps[i]!.transposePtr(i === this.#maps.length - 1 ? codePtr : this.#between[i]!, i === 0 ? outPtr : this.#between[i - 1]!);
    }
  }

  /** @internal the top layer's sparse transpose, then the dense ones down */
  transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void {
    this.prepare();
    const top = this.#maps.length - 1;
    this.#maps[top]!.transposeSparsePtr(idxPtr, valPtr, nnz, top === 0 ? outPtr : this.#between[top - 1]!);
    for (let i = top - 1; i >= 0; i--) this.#maps[i]!.transposePtr(this.#between[i]!, i === 0 ? outPtr : this.#between[i - 1]!);
  }

  /** @internal */
  reserveSparse(nnz: number): void {
    this.prepare();
    this.#maps[this.#maps.length - 1]!.reserveSparse(nnz);
  }

  /** @internal the layers' identities in order */
  identity(): Uint8Array {
    const parts = this.#maps.map((m) => m.identity());
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length + 4, 0));
    let at = 0;
    for (const p of parts) {
      new DataView(out.buffer).setUint32(at, p.length, true);
      out.set(p, at + 4);
      at += p.length + 4;
    }
    return out;
  }

  /** Frees the stack's own buffers; its layers stay as they are. */
  override dispose(): void {
    super.dispose();
    for (const m of this.#maps) m.release?.();
  }

  /**
   * z_i = M(W_i z_{i-1}, k_i), z_0 = x. Returns every layer's code.
   * @example
   * const [z1, z2] = S.encode(x, { layers: [{ pool: 2, density: 0.1 }, { pool: 2, k: 10 }] });
   */
  encode(x: Float32Array, options: StackEncodeOptions): Float32Array[] {
    const where = 'stack.encode';
    const o = checkOptions<StackEncodeOptions>(where, options, ['layers']);
    if (!Array.isArray(o.layers) || o.layers.length !== this.layers.length) {
      throw typeError(where, "'layers'", `an array of ${this.layers.length} sparsity options (one per layer)`, o.layers);
    }
    float32Exact(where, 'x', x, this.inputSize);
    const codes: Float32Array[] = [];
    let z = x;
    this.layers.forEach((l, i) => {
      const h = l.forward(z);
      z = project(this.engine, h, { ...(o.layers![i] as SparsityOptions), shape: l.outputShape }).z;
      codes.push(z);
    });
    return codes;
  }

  /**
   * x^ = W_1^T ... W_L^T z.
   * @example
   * const xHat = S.decode(z2);
   */
  decode(z: Float32Array): Float32Array {
    return this.transpose(z);
  }

  /**
   * encode then decode, with the relative error ||x^ - x|| / ||x||.
   * @example
   * const { codes, xHat, relativeError } = S.reconstruct(x, { layers: [{ k: 4 }, { k: 2 }] });
   */
  reconstruct(x: Float32Array, options: StackEncodeOptions): StackReconstruction {
    const codes = this.encode(x, options);
    const xHat = this.decode(codes[codes.length - 1]!);
    let num = 0;
    let den = 0;
    for (let i = 0; i < x.length; i++) {
      num += (xHat[i]! - x[i]!) ** 2;
      den += x[i]! ** 2;
    }
    return { codes, xHat, relativeError: den === 0 ? Math.sqrt(num) : Math.sqrt(num / den) };
  }
}
