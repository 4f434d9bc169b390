// Instantiating the kernels, choosing SIMD or scalar, and the Engine: one wasm instance with its
// linear memory and allocator. Everything else in src/ talks to kernels through an Engine.
// Where the compiled modules come from is the entry's business (a ModuleSource): the default
// entries embed the bytes (embedded.ts), the workerd entry imports the .wasm files beside it.

import { LinearAllocator } from './allocator.js';
import { checkOptions, oneOf, positiveInt, typeError } from './validate.js';

/** The raw exports of assembly/index.ts. Pointers and sizes are plain numbers. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  simd(): number;
  heapBase(): number;
  pad2dChw(x: number, xp: number, M: number, H: number, W: number, Hp: number, Wp: number, pt: number, pl: number): void;
  crop2dChw(xp: number, x: number, M: number, H: number, W: number, Hp: number, Wp: number, pt: number, pl: number): void;
  crop2dHwcToChw(xc: number, x: number, M: number, H: number, W: number, Wp: number, pt: number, pl: number): void;
  crop2dHwcToChwScalar(xc: number, x: number, M: number, H: number, W: number, Wp: number, pt: number, pl: number): void;
  packConv2d8(w: number, K: number, taps: number, packed: number): void;
  packConv2dHwc(w: number, K: number, M: number, kh: number, kw: number, wcl: number): void;
  packConv2dTranspose8(wcl: number, K: number, L: number, packed: number): void;
  packConv2dTranspose24(wcl: number, K: number, L: number, packed: number): void;
  packConv2dTranspose32(wcl: number, K: number, L: number, packed: number): void;
  conv2dTransposeOffsets(M: number, kh: number, kw: number, Wp: number, colOff: number, Lpad: number): void;
  conv2d(xp: number, Hp: number, Wp: number, M: number, w: number, K: number, kh: number, kw: number,
    sh: number, sw: number, Ho: number, Wo: number, out: number, tapOff: number): void;
  packConv2d3(w: number, K: number, M: number, kh: number, kw: number, transpose: number, packed: number): void;
  conv2dS1Pixels(xp: number, Wp: number, tapOff: number, taps: number, w: number, O: number, Ho: number, Wo: number, out: number): void;
  winogradFilterTransform(w: number, K: number, M: number, transpose: number, U: number): void;
  conv2dWinograd3x3(P: number, I: number, Hq: number, Wq: number, TY: number, TX: number, Tb: number,
    U: number, O: number, Op: number, V: number, Om: number, Ho: number, Wo: number, out: number): void;
  winogradInputTransformScalar(P: number, C: number, Hq: number, Wq: number, TX: number, t0: number, n: number, Tb: number, V: number): void;
  winogradGemmScalar(U: number, V: number, O: number, I: number, Op: number, Tb: number, Tn: number): void;
  winogradOutputTransformScalar(Om: number, O: number, Op: number, Tb: number, TX: number, t0: number, n: number, Ho: number, Wo: number, out: number): void;
  conv2dTapOffsets(M: number, kh: number, kw: number, Hp: number, Wp: number, out: number): void;
  conv2dScalar(xp: number, Hp: number, Wp: number, M: number, w: number, K: number, kh: number, kw: number,
    sh: number, sw: number, Ho: number, Wo: number, out: number): void;
  conv2dTranspose(z: number, K: number, Ho: number, Wo: number, w: number, colOff: number, M: number,
    kh: number, kw: number, sh: number, sw: number, Hp: number, Wp: number, acc: number): void;
  conv2dTransposeScalar(z: number, K: number, Ho: number, Wo: number, w: number, M: number,
    kh: number, kw: number, sh: number, sw: number, Hp: number, Wp: number, acc: number): void;
  conv2dTransposeSparse(idx: number, val: number, nnz: number, Ho: number, Wo: number, w: number, colOff: number, K: number,
    M: number, kh: number, kw: number, sh: number, sw: number, Hp: number, Wp: number, acc: number,
    wcl: number, rowStart: number, grouped: number, pt: number, pl: number, H: number, W: number, tile: number, kbShift: number, groupTile: number): void;
  conv2dTransposeSparseGrouped(idx: number, val: number, nnz: number, Ho: number, Wo: number, w: number, colOff: number,
    K: number, M: number, kh: number, kw: number, sh: number, sw: number, Wp: number, acc: number, rowStart: number,
    grouped: number, pt: number, pl: number, H: number, W: number, tile: number, kbShift: number, groupTile: number): void;
  firstOutside(idx: number, n: number, limit: number): number;
  firstOutsideScalar(idx: number, n: number, limit: number): number;
  firstNonFinite(x: number, n: number): number;
  firstNonFiniteScalar(x: number, n: number): number;
  conv2dTransposeSparseScalar(idx: number, val: number, nnz: number, Ho: number, Wo: number, w: number, M: number,
    kh: number, kw: number, sh: number, sw: number, Hp: number, Wp: number, acc: number): void;
  blockMax(h: number, K: number, Ho: number, Wo: number, ph: number, pw: number, relu: number,
    blockVal: number, blockMag: number, blockIdx: number): void;
  blockMaxScalar(h: number, K: number, Ho: number, Wo: number, ph: number, pw: number, relu: number,
    blockVal: number, blockMag: number, blockIdx: number): void;
  topKRadix(mag: number, B: number, k: number, hist: number, sel: number): number;
  blockScatter(sel: number, count: number, blockVal: number, blockIdx: number, z: number, n: number, support: number): void;
  gather(z: number, support: number, count: number, out: number): void;
  unpool(pooled: number, pos: number, B: number, out: number, n: number): void;
  blockFirst(K: number, Ho: number, Wo: number, ph: number, pw: number, out: number): void;
  draws64(seedLo: number, seedHi: number, stream: number, start: number, count: number, out: number): void;
  randn(seedLo: number, seedHi: number, stream: number, start: number, count: number, out: number): void;
  randnScalar(seedLo: number, seedHi: number, stream: number, start: number, count: number, out: number): void;
  randUniform(seedLo: number, seedHi: number, stream: number, start: number, count: number, lo: number, hi: number, out: number): void;
  sampleModelSparse(seedLo: number, seedHi: number, stream: number, start: number, K: number, Ho: number, Wo: number,
    ph: number, pw: number, k: number, values: number, idxOut: number, valOut: number): number;
  fistaUpdate(y: number, g: number, z: number, mask: number, n: number, step: number, thresh: number, beta: number): void;
  scatterAdd(idx: number, val: number, n: number, dense: number): void;
  scatterZero(idx: number, n: number, dense: number): void;
  distsq(a: number, b: number, n: number): number;
  sub(a: number, b: number, out: number, n: number): void;
  copy(dst: number, src: number, bytes: number): void;
  zero(dst: number, bytes: number): void;
  dot(x: number, y: number, n: number): number;
  dotScalar(x: number, y: number, n: number): number;
  sumsq(x: number, n: number): number;
  sumsqScalar(x: number, n: number): number;
  axpy(a: number, x: number, y: number, n: number): void;
  scal(a: number, x: number, n: number): void;
}

/**
 * 'simd': baseline WebAssembly SIMD (the default where supported); 'scalar': no SIMD;
 * 'relaxed': relaxed SIMD with fused multiply-add (opt-in: its bits may differ between machines).
 */
export type Backend = 'simd' | 'scalar' | 'relaxed';

/** Options of {@link load}. */
export interface LoadOptions {
  /**
   * A precompiled convcs module (for runtimes that refuse to compile wasm from bytes, such as
   * Cloudflare workerd, or to share one compilation between workers).
   */
  module?: WebAssembly.Module;
  /**
   * 'auto' (default) takes SIMD when the engine validates it, else the scalar module. 'relaxed'
   * is never chosen automatically: a fused multiply-add rounds once, so its results depend on the
   * CPU, and convcs promises the same bits everywhere by default.
   */
  backend?: 'auto' | Backend;
  /** Cap on the instance's linear memory, in bytes (default 2 GiB, at most 4 GiB - 64 KiB). */
  maxMemoryBytes?: number;
}

const DEFAULT_MAX_MEMORY = 2 ** 31;
const WASM32_MAX = 2 ** 32 - 65536;

/**
 * Where an entry gets its modules. `unavailable(backend)` says why a backend cannot be had here
 * (undefined when it can); `compile` is called only for a backend that is available.
 */
export interface ModuleSource {
  unavailable(backend: Backend): string | undefined;
  compile(backend: Backend): Promise<WebAssembly.Module>;
}

// The entry that was imported registers its source once, at import; worker threads started on
// that same file find it there too.
let registered: ModuleSource | undefined;

export function registerModuleSource(source: ModuleSource): void {
  registered = source;
}

/** One instance of the kernels with its memory and allocator. Internal. */
export class Engine {
  readonly k: KernelExports;
  readonly backend: Backend;
  readonly heap: LinearAllocator;
  readonly maxMemoryBytes: number;

  constructor(instance: WebAssembly.Instance, maxMemoryBytes: number) {
    this.k = instance.exports as unknown as KernelExports;
    const kind = this.k.simd();
    this.backend = kind === 2 ? 'relaxed' : kind === 1 ? 'simd' : 'scalar';
    this.maxMemoryBytes = maxMemoryBytes;
    this.heap = new LinearAllocator(this.k.memory, this.k.heapBase(), maxMemoryBytes);
  }

  /** True for the SIMD and relaxed-SIMD modules (they share the packed weight layouts). */
  get simd(): boolean {
    return this.backend !== 'scalar';
  }

  /**
   * A fresh view of linear memory. Views are made right before use and never kept: growing
   * memory detaches every earlier view, and the kernels themselves never grow it.
   */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.k.memory.buffer, ptr, length);
  }

  // Native private fields: not enumerable, so nothing that walks an engine's properties meets
  // a view of all of linear memory.
  #heapBuffer: ArrayBuffer | undefined;
  #heapF32 = new Float32Array(0);
  #heapI32 = new Int32Array(0);

  /**
   * Views of all of linear memory, made again only when memory has grown (which detaches the
   * old ones): for copies with `set(src, ptr >> 2)` on hot paths, without a view per call.
   */
  views(): { f32: Float32Array; i32: Int32Array } {
    const buffer = this.k.memory.buffer;
    if (buffer !== this.#heapBuffer) {
      this.#heapBuffer = buffer;
      this.#heapF32 = new Float32Array(buffer);
      this.#heapI32 = new Int32Array(buffer);
    }
    return { f32: this.#heapF32, i32: this.#heapI32 };
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.k.memory.buffer, ptr, length);
  }

  /**
   * Allocate several buffers (sizes in bytes) at once: all of them, or none, and linear memory
   * grows at most once, after every block fits under the cap (a refused call leaves it as it was).
   */
  allocAll(sizes: readonly number[]): number[] {
    return this.heap.allocMany(sizes);
  }

  /** Run `fn` with temporary buffers that are released afterwards, whatever happens. */
  withScratch<T>(sizes: readonly number[], fn: (...ptrs: number[]) => T): T {
    const ptrs = this.allocAll(sizes);
    try {
      return fn(...ptrs);
    } finally {
      for (const p of ptrs) this.heap.release(p);
    }
  }

  /** Current size of linear memory in bytes. */
  get memoryBytes(): number {
    return this.k.memory.buffer.byteLength;
  }
}

/** Instantiate an Engine (the internal half of load()). */
export async function createEngine(options?: LoadOptions, source: ModuleSource | undefined = registered): Promise<Engine> {
  const o = checkOptions<LoadOptions>('load', options, ['module', 'backend', 'maxMemoryBytes']);
  const backendOpt = o.backend === undefined ? 'auto' : oneOf('load', 'backend', o.backend, ['auto', 'simd', 'scalar', 'relaxed'] as const);
  const maxMemoryBytes = o.maxMemoryBytes === undefined
    ? DEFAULT_MAX_MEMORY
    : positiveInt('load', 'maxMemoryBytes', o.maxMemoryBytes, WASM32_MAX);
  let module: WebAssembly.Module;
  if (o.module !== undefined) {
    if (!(o.module instanceof WebAssembly.Module)) throw typeError('load', "'module'", 'a WebAssembly.Module', o.module);
    module = o.module;
  } else {
    if (!source) throw new Error('convcs.load: no WebAssembly modules registered (import the package through one of its entries)');
    let backend: Backend;
    if (backendOpt === 'auto') backend = source.unavailable('simd') === undefined ? 'simd' : 'scalar';
    else backend = backendOpt;
    const why = source.unavailable(backend);
    if (why !== undefined) throw new RangeError(`convcs.load: backend '${backend}' was asked for, but ${why}`);
    module = await source.compile(backend);
  }
  const instance = await WebAssembly.instantiate(module, {});
  const engine = new Engine(instance, maxMemoryBytes);
  if (o.module !== undefined && backendOpt !== 'auto' && backendOpt !== engine.backend) {
    throw new RangeError(`convcs.load: backend '${backendOpt}' was asked for, but the module given is the ${engine.backend} build`);
  }
  return engine;
}
