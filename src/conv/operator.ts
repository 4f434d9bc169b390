// The convolution operator W of the paper (section 2.2): h = W x is a multi-channel convolution
// (PyTorch's conv1d/conv2d: cross-correlation, no bias) and W^T z its exact adjoint, the
// transposed convolution. The layer's paths (paths/) are chosen once, at construction, by
// choose.ts; the operator allocates exactly the buffers those paths read, packs the weights into
// their layouts and dispatches to them.

import type { Engine } from '../instance.js';
import { LinearMemoryOperator } from '../linear-operator.js';
import {
  checkFinite, checkOptions, float32Exact, nonNegativeInt, oneOf, outputBuffer, rangeError, requireOption, seedWords, typeError,
} from '../validate.js';
import { choosePaths, chooseSparseRoute, type ConvPaths, type SparsePlan } from './choose.js';
import type { ConvGeometry, RandomizeOptions } from './geometry.js';
import { DirectForwardScalar, DirectForwardSimd, DirectTransposeScalar, DirectTransposeSimd } from './paths/direct.js';
import type { ConvPath, ForwardPath, LayerBuffers, TransposePath } from './paths/path.js';
import { PixelForward, PixelTranspose } from './paths/pixel.js';
import { SparseTransposeC4Simd, SparseTransposeScalar, SparseTransposeSimd, type SparseTransposePath } from './paths/sparse.js';
import { WinogradForward, WinogradTranspose } from './paths/winograd.js';

/**
 * A convolutional layer as a linear operator. Made by `cs.conv1d` / `cs.conv2d`; weights start
 * as `randomize({ seed: 0 })`.
 */
export class ConvOperator extends LinearMemoryOperator {
  /** @internal */
  protected readonly kind = 'ConvOperator';
  readonly dims: 1 | 2;
  readonly weightShape: readonly number[];
  readonly geometry: Readonly<ConvGeometry>;
  /** How each direction runs in this module (choose.ts).
   * @internal */
  readonly paths: Readonly<ConvPaths>;
  readonly #layer: LayerBuffers;
  readonly #forward: ForwardPath;
  readonly #transpose: TransposePath;
  readonly #sparse: SparseTransposePath;
  /** Whether a path packs from the channel-last weights (only then are they held and kept up to date). */
  readonly #readsChannelLast: boolean;

  /** @internal use cs.conv1d / cs.conv2d */
  constructor(engine: Engine, g: ConvGeometry, dims: 1 | 2) {
    super(engine, dims === 1 ? [g.M, g.W] : [g.M, g.H, g.W], dims === 1 ? [g.K, g.Wo] : [g.K, g.Ho, g.Wo]);
    this.geometry = Object.freeze({ ...g });
    this.dims = dims;
    this.weightShape = Object.freeze(dims === 1 ? [g.K, g.M, g.kw] : [g.K, g.M, g.kh, g.kw]);
    const simd = engine.simdAbi !== undefined;
    const paths = choosePaths(g, simd);
    this.paths = Object.freeze(paths);
    const layer: LayerBuffers = { weights: 0, channelLast: 0, padded: 0, code: 0 };
    this.#layer = layer;
    const winograd = (p: ConvPaths[keyof ConvPaths]) => p === 'winograd' || p === 'winograd4x4';
    const forward = winograd(paths.forward) ? new WinogradForward(engine, g, layer)
      : paths.forward === 'pixel' ? new PixelForward(engine, g, layer)
      : simd ? new DirectForwardSimd(engine, g, layer) : new DirectForwardScalar(engine, g, layer);
    this.#forward = forward;
    this.#transpose = winograd(paths.transpose) ? new WinogradTranspose(engine, g, layer, forward as WinogradForward)
      : paths.transpose === 'pixel' ? new PixelTranspose(engine, g, layer)
      : simd ? new DirectTransposeSimd(engine, g, layer) : new DirectTransposeScalar(engine, g, layer);
    this.#sparse = paths.sparse === 'c4' ? new SparseTransposeC4Simd(engine, g, layer)
      : paths.sparse === 'grouped' ? new SparseTransposeSimd(engine, g, layer) : new SparseTransposeScalar(engine, g, layer);
    const all: ConvPath[] = [this.#forward, this.#transpose, this.#sparse];
    this.#readsChannelLast = all.some((p) => p.readsChannelLast);
    const weightBytes = g.K * g.M * g.kh * g.kw * 4;
    // One allocation, all or nothing: the layer's buffers, then each path's, by name.
    const sizes: Record<string, number> = {
      weights: weightBytes,
      channelLast: this.#readsChannelLast ? weightBytes : 0,
      padded: Math.max(0, ...all.filter((p) => p.usesPadded).map((p) => p.paddedPixelFloats)) * g.Hp * g.Wp * 4,
    };
    all.forEach((p, i) => {
      for (const [name, bytes] of Object.entries(p.sizes)) sizes[`${i}.${name}`] = bytes;
    });
    const ptrs = this.allocate(sizes);
    layer.weights = ptrs.weights!;
    layer.channelLast = ptrs.channelLast!;
    layer.padded = ptrs.padded!;
    layer.code = this.codePtr;
    all.forEach((p, i) => {
      const own: Record<string, number> = {};
      for (const name of Object.keys(p.sizes)) own[name] = ptrs[`${i}.${name}`]!;
      p.ptr = Object.freeze(own);
      p.setup();
    });
    const growable: Record<string, number> = { idx: 4, val: 4 };
    if (this.#sparse.bytesPerNonZero > 0) growable.scratch = this.#sparse.bytesPerNonZero;
    this.growable(growable);
    this.randomize({ seed: 0 });
  }

  /** The sparse transpose's tile and blocking in the SIMD modules (undefined in the scalar one).
   * @internal */
  get sparse(): Readonly<SparsePlan> | undefined {
    return this.#sparse instanceof SparseTransposeSimd ? this.#sparse.plan : undefined;
  }

  /** @internal the geometry and the weights, as bytes: what a study's fingerprint hashes */
  identity(): Uint8Array {
    const g = this.geometry;
    const dims = Float32Array.of(g.M, g.K, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.pt, g.pb, g.pl, g.pr);
    const w = this.engine.f32(this.#layer.weights, this.weightShape.reduce((a, b) => a * b, 1));
    const out = new Uint8Array(dims.byteLength + w.byteLength);
    out.set(new Uint8Array(dims.buffer));
    out.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), dims.byteLength);
    return out;
  }

  /**
   * Draw the weights from a seeded Gaussian (every engine gives the same bits).
   * @example
   * W.randomize({ seed: 1 });                        // N(0, 1)/sqrt(M kh kw)
   * W.randomize({ seed: 1n, stream: 3, normalize: 'unit' });
   */
  randomize(options: RandomizeOptions): this {
    const where = 'ConvOperator.randomize';
    this.live(where);
    this.notInUse(where, 'randomize');
    const o = checkOptions<RandomizeOptions>(where, options, ['seed', 'stream', 'normalize']);
    const [lo, hi] = seedWords(where, 'seed', requireOption(where, 'seed', o.seed));
    const stream = o.stream === undefined ? 0 : nonNegativeInt(where, 'stream', o.stream, 2 ** 32 - 1);
    const normalize = o.normalize === undefined ? 'fan-in' : oneOf(where, 'normalize', o.normalize, ['fan-in', 'unit'] as const);
    const { k } = this.engine;
    const g = this.geometry;
    const taps = g.M * g.kh * g.kw;
    k.randn(lo, hi, stream, 0, g.K * taps, this.#layer.weights);
    if (normalize === 'fan-in') {
      k.scal(Math.fround(1 / Math.sqrt(taps)), this.#layer.weights, g.K * taps);
    } else {
      for (let f = 0; f < g.K; f++) {
        const p = this.#layer.weights + f * taps * 4;
        // The scalar-order sum is exported by both modules, so both give identical weights.
        const ss = k.sumsqExact(p, taps);
        if (ss > 0) k.scal(Math.fround(1 / Math.sqrt(ss)), p, taps);
      }
    }
    this.pack();
    return this;
  }

  /**
   * Set the weights from an array in PyTorch layout ([K, M, l] or [K, M, kh, kw]).
   * @example
   * W.setWeights(new Float32Array(W.weightShape.reduce((a, b) => a * b)).fill(0.1));
   */
  setWeights(w: Float32Array): this {
    const where = 'ConvOperator.setWeights';
    this.live(where);
    this.notInUse(where, 'set the weights of');
    const n = this.weightShape.reduce((a, b) => a * b, 1);
    float32Exact(where, 'weights', w, n);
    checkFinite(where, 'weights', w);
    this.engine.f32(this.#layer.weights, n).set(w);
    this.pack();
    return this;
  }

  /**
   * A copy of the weights in PyTorch layout.
   * @example
   * const w = W.getWeights(); // Float32Array of K*M*kh*kw values
   */
  getWeights(): Float32Array {
    this.live('ConvOperator.getWeights');
    const n = this.weightShape.reduce((a, b) => a * b, 1);
    return this.engine.f32(this.#layer.weights, n).slice();
  }

  /** Every path's layout from the plain weights (the channel-last copy first: transposed panels are packed from it). */
  private pack(): void {
    const g = this.geometry;
    if (this.#readsChannelLast) this.engine.abi.f32_pack_conv2d_hwc_scalar(this.#layer.weights, g.K, g.M, g.kh, g.kw, this.#layer.channelLast);
    this.#forward.pack();
    this.#transpose.pack();
    this.#sparse.pack();
  }

  /** @internal */
  forwardPtr(inPtr: number, outPtr: number): void {
    this.#forward.run(inPtr, outPtr);
  }

  /** @internal */
  transposePtr(codePtr: number, outPtr: number): void {
    this.#transpose.run(codePtr, outPtr);
  }

  /**
   * x = W^T z for `nnz` (index, value) pairs at idxPtr / valPtr into outPtr. No checks: internal.
   * May allocate scratch for a larger code than before: callers must hold pointers, not views.
   * @internal
   */
  transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void {
    const route = chooseSparseRoute(this.paths, nnz, this.outputSize);
    if (route === 'dense-winograd') {
      // Dense enough that the Winograd transpose of the scattered code is the faster way.
      const code = this.#layer.code;
      this.engine.k.zero(code, this.outputSize * 4);
      this.engine.k.scatterAdd(idxPtr, valPtr, nnz, code);
      this.#transpose.run(code, outPtr);
      return;
    }
    if (this.#sparse.bytesPerNonZero > 0) this.grow(nnz); // the others need no scratch of their own
    this.#sparse.run(idxPtr, valPtr, nnz, outPtr, route, this.grown.scratch ?? 0);
  }

  /**
   * x = W^T z for one code given by its non-zeros: flat indices into `outputShape` and their
   * values. Costs O(nnz M kh kw) rather than a dense pass.
   * @example
   * const { z, support } = cs.project(W.forward(x), { shape: W.outputShape, pool: 2, density: 0.1 });
   * const xHat = W.transposeSparse(support, Float32Array.from(support, (i) => z[i]!));
   */
  transposeSparse(indices: Int32Array, values: Float32Array, out?: Float32Array): Float32Array {
    const where = 'ConvOperator.transposeSparse';
    this.live(where);
    if (!(indices instanceof Int32Array)) throw typeError(where, 'indices', 'an Int32Array', indices);
    float32Exact(where, 'values', values, indices.length);
    const nnz = indices.length;
    const fits = nnz <= this.capacity;
    if (fits) {
      // The usual case, a code no larger than an earlier one: check the copies in linear memory
      // (f32x4 / i32x4 scans in the SIMD module); as JavaScript loops the checks cost as much as
      // the sparse transpose itself on large codes. The scratch is the operator's own, so a
      // refused call leaves no trace.
      const heap = this.engine.views();
      heap.i32.set(indices, this.grown.idx! >> 2);
      heap.f32.set(values, this.grown.val! >> 2);
      const badValue = this.engine.k.firstNonFinite(this.grown.val!, nnz);
      if (badValue >= 0) checkFinite(where, 'values', values);
      const badIndex = this.engine.k.firstOutside(this.grown.idx!, nnz, this.outputSize);
      if (badIndex >= 0) throw this.indexOutside(where, indices, badIndex);
    } else {
      // A larger code than any before: check in JavaScript, before the scratch grows.
      checkFinite(where, 'values', values);
      for (let i = 0; i < nnz; i++) {
        const v = indices[i]!;
        if (v < 0 || v >= this.outputSize) throw this.indexOutside(where, indices, i);
      }
    }
    const result = outputBuffer(where, out, this.inputSize);
    if (!fits) {
      this.grow(nnz);
      this.engine.i32(this.grown.idx!, nnz).set(indices);
      this.engine.f32(this.grown.val!, nnz).set(values);
    }
    this.transposeSparsePtr(this.grown.idx!, this.grown.val!, nnz, this.inputPtr);
    result.set(this.engine.f32(this.inputPtr, this.inputSize));
    return result;
  }

  // A method, not a closure in transposeSparse: bundlers that keep function names wrap every
  // closure in a defineProperty call, which cost a tenth of a small sparse transpose.
  private indexOutside(where: string, indices: Int32Array, i: number): RangeError {
    return rangeError(where, `indices[${i}] = ${indices[i]} is outside [0, ${this.outputSize}) (outputShape ${this.outputShape.join('x')})`);
  }

  /**
   * @internal what transposeSparsePtr will need for codes of up to nnz non-zeros, allocated now
   */
  reserveSparse(nnz: number): void {
    if (this.#sparse instanceof SparseTransposeSimd) this.grow(nnz);
  }
}
