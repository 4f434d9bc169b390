// Several layers (the paper's multi-layer extension of Theorem 3.3): encoding goes down with a
// projection after every layer, z_i = M(W_i z_{i-1}, k_i) with z_0 = x, and decoding comes back
// up through the transposes, x^ = W_1^T W_2^T ... W_L^T z_L. As a linear operator a stack is the
// composition W_L ... W_1 (forward) and W_1^T ... W_L^T (transpose).

import type { Engine } from '../instance.js';
import type { LinearOperator } from '../linear-operator.js';
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
export class Stack implements LinearOperator {
  readonly layers: readonly LinearOperator[];
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly engine: Engine;

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
    this.engine = engine;
    this.layers = Object.freeze([...layers]) as readonly LinearOperator[];
    this.inputShape = this.layers[0]!.inputShape;
    this.outputShape = this.layers[this.layers.length - 1]!.outputShape;
    this.inputSize = this.layers[0]!.inputSize;
    this.outputSize = this.layers[this.layers.length - 1]!.outputSize;
  }

  /**
   * W_L ... W_1 x (no projections: the linear part).
   * @example
   * const h = S.forward(x);
   */
  forward(x: Float32Array, out?: Float32Array): Float32Array {
    let h = x;
    this.layers.forEach((l, i) => {
      h = l.forward(h, i === this.layers.length - 1 ? out : undefined);
    });
    return h;
  }

  /**
   * W_1^T ... W_L^T z.
   * @example
   * const x = S.transpose(z);
   */
  transpose(z: Float32Array, out?: Float32Array): Float32Array {
    let x = z;
    for (let i = this.layers.length - 1; i >= 0; i--) x = this.layers[i]!.transpose(x, i === 0 ? out : undefined);
    return x;
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
