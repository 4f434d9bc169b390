// The operator protocol. LinearOperator is what algorithms take (PyLops's: shapes, a forward map
// and its adjoint); LinearMemoryOperator is the one base of operators whose maps run on buffers
// in linear memory (the convolution, its CReLU view): it owns their buffers, the batch loops that
// copy samples in and results out, scratch that grows with sparse codes, pinning by running
// calls, dispose / `using`, and the finalization safety net.

import type { Engine } from './instance.js';
import { checkFinite, float32BatchLength, nonFiniteError, outputBuffer, overlaps } from './validate.js';

/**
 * What every algorithm in convcs needs of an operator, as PyLops's solvers take a
 * LinearOperator: shapes, a forward map and its adjoint. Sizes are per sample; both maps take a
 * batch of samples laid end to end.
 */
export interface LinearOperator {
  /** Shape of one input sample, e.g. [M, D] or [M, H, W]. */
  readonly inputShape: readonly number[];
  /** Shape of one output (code) sample, e.g. [K, n] or [K, Ho, Wo]. */
  readonly outputShape: readonly number[];
  readonly inputSize: number;
  readonly outputSize: number;
  /** h = W x for one sample or a batch end to end. */
  forward(x: Float32Array, out?: Float32Array): Float32Array;
  /** x = W^T z, the adjoint of forward. */
  transpose(z: Float32Array, out?: Float32Array): Float32Array;
}

interface Owned {
  engine: Engine;
  ptrs: number[];
}

// Safety net for operators a caller forgets to dispose: their memory returns to the allocator
// when they are collected. Explicit dispose() is still the way to free memory promptly.
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Owned>(({ engine, ptrs }) => {
    for (const p of ptrs) engine.heap.release(p);
  })
  : undefined;

/** A subclass's buffers: bytes by name in, pointers by name out. */
export type BufferSizes<N extends string> = Readonly<Record<N, number>>;
export type Pointers<N extends string> = Readonly<Record<N, number>>;

/**
 * The base of operators backed by linear memory. A subclass allocates its fixed buffers once
 * (`allocate`, which includes the sample buffers the batch loops use), declares the scratch that
 * grows with the number of non-zeros of a sparse code (`growable`), and implements the pointer
 * maps.
 */
export abstract class LinearMemoryOperator implements LinearOperator {
  /** @internal */
  readonly engine: Engine;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly inputSize: number;
  readonly outputSize: number;
  /** Pointers of one input sample and one code sample (the batch loops' buffers). */
  #input = 0;
  #code = 0;
  #owned: number[] = [];
  #growable: Readonly<Record<string, number>> = {};
  #grown: Record<string, number> = {};
  #capacity = 0;
  #pins = 0;
  #disposed = false;
  readonly #token = {};
  /** For messages: 'ConvOperator', 'crelu'... @internal */
  protected abstract readonly kind: string;

  /** @internal */
  protected constructor(engine: Engine, inputShape: readonly number[], outputShape: readonly number[]) {
    this.engine = engine;
    this.inputShape = Object.freeze([...inputShape]);
    this.outputShape = Object.freeze([...outputShape]);
    this.inputSize = inputShape.reduce((a, b) => a * b, 1);
    this.outputSize = outputShape.reduce((a, b) => a * b, 1);
  }

  /**
   * Allocate the fixed buffers (bytes by name; 0 for none, whose pointer is 0) with one input and
   * one code sample: all or none, refused before memory grows when they pass the cap.
   * @internal
   */
  protected allocate<N extends string>(sizes: BufferSizes<N>): Pointers<N> {
    const names = (Object.keys(sizes) as N[]).filter((n) => sizes[n] > 0);
    const ptrs = this.engine.heap.allocMany([this.inputSize * 4, this.outputSize * 4, ...names.map((n) => sizes[n])]);
    [this.#input, this.#code] = ptrs as [number, number];
    this.#owned = ptrs;
    this.#track();
    // Inside heap.atomically, a later refusal takes these back: the operator is as before.
    this.engine.heap.onRefusal(() => {
      this.#owned = [];
      this.#input = this.#code = 0;
      this.#track();
    });
    const out = {} as Record<N, number>;
    for (const n of Object.keys(sizes) as N[]) out[n] = 0; // a buffer of no bytes is not allocated
    names.forEach((n, i) => (out[n] = ptrs[i + 2]!));
    return out;
  }

  /** Whether allocate() has run (and was not taken back). @internal */
  protected get allocated(): boolean {
    return this.#input !== 0;
  }

  /** Called before the batch loops use the buffers: operators that allocate lazily do it here. @internal */
  protected prepare(): void {}

  /** Scratch that sparse codes of up to n non-zeros need: bytes per non-zero, by name. @internal */
  protected growable(bytesPerNonZero: Readonly<Record<string, number>>): void {
    this.#growable = bytesPerNonZero;
  }

  /** The growable scratch's pointers (valid for codes up to `capacity` non-zeros). @internal */
  protected get grown(): Readonly<Record<string, number>> {
    return this.#grown;
  }

  /** Non-zeros the growable scratch holds now. @internal */
  protected get capacity(): number {
    return this.#capacity;
  }

  /**
   * Grow the scratch for codes of up to n non-zeros (all of it or none; inside
   * heap.atomically a later refusal puts the old scratch back).
   * @internal
   */
  protected grow(n: number): void {
    if (n <= this.#capacity) return;
    const names = Object.keys(this.#growable);
    if (names.length === 0) return;
    const capacity = Math.max(n, 64);
    const fresh = this.engine.heap.allocMany(names.map((k) => capacity * this.#growable[k]!));
    const before = { grown: this.#grown, capacity: this.#capacity, owned: this.#owned };
    this.engine.heap.onRefusal(() => {
      this.#grown = before.grown;
      this.#capacity = before.capacity;
      this.#owned = before.owned;
      this.#track();
    });
    const old = Object.values(this.#grown);
    for (const p of old) this.engine.heap.release(p);
    this.#owned = [...this.#owned.filter((p) => !old.includes(p)), ...fresh];
    const grown: Record<string, number> = {};
    names.forEach((k, i) => (grown[k] = fresh[i]!));
    this.#grown = grown;
    this.#capacity = capacity;
    this.#track();
  }

  #track(): void {
    registry?.unregister(this.#token);
    if (this.#owned.length > 0) registry?.register(this, { engine: this.engine, ptrs: this.#owned }, this.#token);
  }

  /** h = W x for one sample at inPtr (linear memory) into outPtr. No checks.
   * @internal */
  abstract forwardPtr(inPtr: number, outPtr: number): void;
  /** x = W^T z for one code at codePtr into outPtr. No checks.
   * @internal */
  abstract transposePtr(codePtr: number, outPtr: number): void;
  /** x = W^T z for nnz (index, value) pairs. No checks; may grow scratch.
   * @internal */
  abstract transposeSparsePtr(idxPtr: number, valPtr: number, nnz: number, outPtr: number): void;
  /** @internal what sparse transposes of up to nnz non-zeros need, allocated now */
  abstract reserveSparse(nnz: number): void;
  /** @internal the bytes that define the map (for fingerprints) */
  abstract identity(): Uint8Array;

  /** Checks of a batch of codes beyond their length and finiteness (none by default). @internal */
  protected checkCodes(_where: string, _z: Float32Array): void {}

  /**
   * h = W x. `x` holds one input of `inputShape`, or a batch of them end to end; the result
   * holds as many codes of `outputShape`.
   * @example
   * const h = W.forward(x);          // new array
   * W.forward(x, h);                 // or into a caller's array of the right length
   */
  forward(x: Float32Array, out?: Float32Array): Float32Array {
    const where = `${this.kind}.forward`;
    this.live(where);
    const N = float32BatchLength(where, 'x', x, this.inputSize);
    const inWasm = this.allocated;
    if (!inWasm) checkFinite(where, 'x', x);
    const result = outputBuffer(where, out, N * this.outputSize);
    const src = overlaps(x, result) ? x.slice() : x;
    if (inWasm) this.copyChecked(where, 'x', src, this.#input, this.inputSize, N);
    this.prepare();
    for (let n = 0; n < N; n++) {
      if (!inWasm || N > 1) this.engine.f32(this.#input, this.inputSize).set(src.subarray(n * this.inputSize, (n + 1) * this.inputSize));
      this.forwardPtr(this.#input, this.#code);
      result.set(this.engine.f32(this.#code, this.outputSize), n * this.outputSize);
    }
    return result;
  }

  /**
   * x = W^T z, the exact adjoint of forward. Batches as forward.
   * @example
   * const xHat = W.transpose(z);
   */
  transpose(z: Float32Array, out?: Float32Array): Float32Array {
    const where = `${this.kind}.transpose`;
    this.live(where);
    const N = float32BatchLength(where, 'z', z, this.outputSize);
    const inWasm = this.allocated;
    if (!inWasm) checkFinite(where, 'z', z);
    else this.copyChecked(where, 'z', z, this.#code, this.outputSize, N);
    this.checkCodes(where, z);
    const result = outputBuffer(where, out, N * this.inputSize);
    const src = overlaps(z, result) ? z.slice() : z;
    this.prepare();
    for (let n = 0; n < N; n++) {
      if (!inWasm || N > 1) this.engine.f32(this.#code, this.outputSize).set(src.subarray(n * this.outputSize, (n + 1) * this.outputSize));
      this.transposePtr(this.#code, this.#input);
      result.set(this.engine.f32(this.#input, this.inputSize), n * this.inputSize);
    }
    return result;
  }

  /**
   * Copy each of the N samples of src into the sample buffer at ptr and refuse a non-finite value
   * (the SIMD scan in wasm: the copy is needed anyway). Every sample is checked before any is
   * computed; the last one stays in the buffer.
   */
  private copyChecked(where: string, name: string, src: Float32Array, ptr: number, size: number, N: number): void {
    for (let n = 0; n < N; n++) {
      this.engine.f32(ptr, size).set(src.subarray(n * size, (n + 1) * size));
      const i = this.engine.k.firstNonFinite(ptr, size);
      if (i >= 0) throw nonFiniteError(where, name, n * size + i, src[n * size + i]!);
    }
  }

  /** @internal the sample buffers, for subclasses' own entry points */
  protected get inputPtr(): number {
    return this.#input;
  }

  /** @internal */
  protected get codePtr(): number {
    return this.#code;
  }

  /** True once dispose() has run. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Throws the use-after-dispose TypeError if this operator has been disposed.
   * @internal */
  live(where: string): void {
    if (this.#disposed) throw new TypeError(`convcs.${where}: this operator has been disposed`);
  }

  /** @internal a running call uses this operator (see ptrOperator) */
  pin(where: string): void {
    this.live(where);
    this.#pins++;
  }

  /** @internal */
  unpin(): void {
    this.#pins--;
  }

  /** Refuse to change or free an operator a running call is using (a callback of that call is the only way). @internal */
  protected notInUse(where: string, what: string): void {
    if (this.#pins > 0) {
      throw new TypeError(`convcs.${where}: this operator is in use by a running call (iht, rip, sparseCode...); ` +
        `${what} it after that call returns, not from its callback`);
    }
  }

  /**
   * Free the operator's linear memory. Any later call throws a TypeError.
   * @example
   * W.dispose();
   * // or let the scope do it: `using W = cs.conv1d({ ... });`
   */
  dispose(): void {
    if (this.#disposed) return;
    this.notInUse(`${this.kind}.dispose`, 'dispose');
    this.#disposed = true;
    registry?.unregister(this.#token);
    for (const p of this.#owned) this.engine.heap.release(p);
    this.#owned = [];
    this.#grown = {};
    this.#capacity = 0;
  }

  /** The same as dispose(), for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
