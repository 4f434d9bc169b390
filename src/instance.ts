// Instantiating the kernels, choosing SIMD or scalar, and the Engine: one wasm instance with its
// linear memory and allocator. Everything else in src/ talks to kernels through an Engine.
// Where the compiled modules come from is the entry's business (a ModuleSource): the default
// entries embed the bytes (embedded.ts), the workerd entry imports the .wasm files beside it.

import { LinearAllocator } from './allocator.js';
import { chooseKernels, splitElementwise, type Kernels } from './kernels.js';
import type { ModuleExports, ScalarKernelExports, SimdKernelExports } from './generated/kernels.js';
import { SCALAR_KERNELS, SIMD_KERNELS } from './generated/kernel-names.js';
import { checkOptions, oneOf, positiveInt, typeError } from './validate.js';
import { ThreadTeam } from './threads/team.js';
import { isNodeLike, nodeProcess } from './parallel/host.js';

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
  /**
   * Threads that split each convolution, transpose and vector step of this instance between
   * them (default 1; 'auto': the machine's cores, at most 16). They share the instance's memory,
   * and a result has the same bits for every thread count. Where threads cannot run (workerd,
   * a page that is not cross-origin isolated, a `module` given), the instance runs on one:
   * see `cs.threads` and `cs.threadsNote`.
   */
  threads?: number | 'auto';
}

const DEFAULT_MAX_MEMORY = 2 ** 31;
const WASM32_MAX = 2 ** 32 - 65536;
const PAGE = 65536;
/** The modules' declared initial memory (asconfig.json initialMemory). */
const INITIAL_PAGES = 2;
export const MAX_THREADS = 64;
const AUTO_THREADS_CAP = 16;

/**
 * Where an entry gets its modules. `unavailable(backend)` says why a backend cannot be had here
 * (undefined when it can); `compile` is called only for a backend that is available.
 */
export interface ModuleSource {
  unavailable(backend: Backend): string | undefined;
  compile(backend: Backend): Promise<WebAssembly.Module>;
  /** The same module with its memory import shared (src/threads/shared-module.ts), for threads. */
  compileShared?(backend: Backend): Promise<WebAssembly.Module>;
}

// The entry that was imported registers its source once, at import; worker threads started on
// that same file find it there too.
let registered: ModuleSource | undefined;

export function registerModuleSource(source: ModuleSource): void {
  registered = source;
}

/** One instance of the kernels with its memory and allocator. Internal. */
export class Engine {
  /** The module's exports: its scalar kernels (every module has them) and module functions. */
  readonly abi: ModuleExports & ScalarKernelExports;
  /** The SIMD kernels, in the SIMD and relaxed-SIMD modules only. */
  readonly simdAbi: SimdKernelExports | undefined;
  /** The operations the algorithms call, bound to this module's kernels (src/kernels.ts). */
  k: Kernels;
  readonly backend: Backend;
  readonly heap: LinearAllocator;
  readonly maxMemoryBytes: number;
  /**
   * How many parts a plan splits each operation into: the threads granted at load() (1 without
   * threads). Plans allocate per-part scratch for this many, so it never changes.
   */
  lanes = 1;
  #note: string | undefined;
  #team: ThreadTeam | undefined;

  /** Why the instance runs on fewer threads than asked, if it does. */
  get threadsNote(): string | undefined {
    const stopped = this.#team?.stopped;
    if (stopped === 'closed') return 'the threads were closed (closeThreads); this instance runs on one';
    if (stopped !== undefined) return `the threads stopped (${stopped}); this instance runs on one`;
    return this.#note;
  }

  set threadsNote(note: string | undefined) {
    this.#note = note;
  }

  constructor(instance: WebAssembly.Instance, maxMemoryBytes: number) {
    const exports = instance.exports as Record<string, unknown>;
    if (typeof exports.simd !== 'function' || !(exports.memory instanceof WebAssembly.Memory)) {
      throw new TypeError('convcs.load: the module given is not a convcs module (it exports no simd() or no memory)');
    }
    const kind = (exports.simd as () => number)();
    this.backend = kind === 2 ? 'relaxed' : kind === 1 ? 'simd' : 'scalar';
    // A module built from another manifest (a stale or foreign precompiled module) is refused
    // here, not at the first call of a kernel it lacks.
    for (const name of kind > 0 ? [...SCALAR_KERNELS, ...SIMD_KERNELS] : SCALAR_KERNELS) {
      if (typeof exports[name] !== 'function') {
        throw new TypeError(`convcs.load: the module given does not export the kernel ${name}; it was built from another version of convcs`);
      }
    }
    this.abi = exports as unknown as ModuleExports & ScalarKernelExports;
    this.simdAbi = kind > 0 ? exports as unknown as SimdKernelExports : undefined;
    this.k = chooseKernels(this.abi, this.simdAbi);
    this.maxMemoryBytes = maxMemoryBytes;
    this.heap = new LinearAllocator(this.abi.memory, this.abi.heapBase(), maxMemoryBytes);
  }

  /** Threads running now: the lanes while the team runs, 1 once it has stopped or without one. */
  get threads(): number {
    return this.#team && this.#team.stopped === undefined ? this.lanes : 1;
  }

  /** The team, if threads started (tests inject faults through it). */
  get team(): ThreadTeam | undefined {
    return this.#team;
  }

  attachTeam(team: ThreadTeam): void {
    this.#team = team;
    this.lanes = team.size;
    this.k = splitElementwise(this.k, this.simd, this.lanes, (where, name, calls) => this.parallel(where, name, calls));
  }

  /**
   * Run `name` once per argument list. With a running team and more than one list, the lists
   * are spread over the threads (each writes its own part of the output, so who runs which
   * never changes a bit); otherwise they run here, in order.
   */
  parallel(where: string, name: string, calls: ReadonlyArray<readonly number[]>): void {
    const team = this.#team;
    if (team !== undefined && team.stopped === undefined && calls.length > 1) {
      team.run(where, name, calls);
      return;
    }
    const fn = (this.abi as unknown as Record<string, (...a: number[]) => unknown>)[name]!;
    for (const args of calls) fn(...args);
  }

  /** End the threads (the instance goes on with one). */
  closeThreads(): void {
    if (this.#team && this.#team.stopped === undefined) this.#team.close();
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
    return new Float32Array(this.abi.memory.buffer, ptr, length);
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
    const buffer = this.abi.memory.buffer;
    if (buffer !== this.#heapBuffer) {
      this.#heapBuffer = buffer;
      this.#heapF32 = new Float32Array(buffer);
      this.#heapI32 = new Int32Array(buffer);
    }
    return { f32: this.#heapF32, i32: this.#heapI32 };
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.abi.memory.buffer, ptr, length);
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
    return this.abi.memory.buffer.byteLength;
  }
}

/** The machine's cores, as 'auto' counts them (at most AUTO_THREADS_CAP). */
function machineThreads(): number {
  let n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  const proc = nodeProcess();
  if (n === undefined && isNodeLike() && typeof proc?.getBuiltinModule === 'function') {
    n = (proc.getBuiltinModule('os') as { availableParallelism?(): number }).availableParallelism?.();
  }
  return Math.max(1, Math.min(AUTO_THREADS_CAP, Math.floor(n ?? 1)));
}

/** Why threads cannot run here (undefined when they can). */
function threadsUnavailable(source: ModuleSource | undefined, givenModule: boolean): string | undefined {
  if (givenModule) return 'a precompiled module was given (threads need the shared-memory build, which load() compiles from its own bytes)';
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return 'this runtime has no SharedArrayBuffer (a web page must be cross-origin isolated: COOP and COEP headers)';
  }
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return 'this page is not cross-origin isolated (it needs the COOP and COEP headers)';
  }
  if (!source?.compileShared) return 'this entry has no shared-memory build of the modules';
  if (!isNodeLike() && typeof (globalThis as { Worker?: unknown }).Worker !== 'function') return 'this runtime has no worker threads';
  return undefined;
}

/** Instantiate an Engine (the internal half of load()). *//** Instantiate an Engine (the internal half of load()). */
export async function createEngine(options?: LoadOptions, source: ModuleSource | undefined = registered): Promise<Engine> {
  const o = checkOptions<LoadOptions>('load', options, ['module', 'backend', 'maxMemoryBytes', 'threads']);
  const backendOpt = o.backend === undefined ? 'auto' : oneOf('load', 'backend', o.backend, ['auto', 'simd', 'scalar', 'relaxed'] as const);
  const maxMemoryBytes = o.maxMemoryBytes === undefined
    ? DEFAULT_MAX_MEMORY
    : positiveInt('load', 'maxMemoryBytes', o.maxMemoryBytes, WASM32_MAX);
  const threadsAsked = o.threads === undefined ? 1 : o.threads === 'auto' ? machineThreads() : positiveInt('load', 'threads', o.threads, MAX_THREADS);
  if (o.module !== undefined && !(o.module instanceof WebAssembly.Module)) throw typeError('load', "'module'", 'a WebAssembly.Module', o.module);
  let backend: Backend | undefined;
  if (o.module === undefined) {
    if (!source) throw new Error('convcs.load: no WebAssembly modules registered (import the package through one of its entries)');
    backend = backendOpt === 'auto' ? (source.unavailable('simd') === undefined ? 'simd' : 'scalar') : backendOpt;
    const why = source.unavailable(backend);
    if (why !== undefined) throw new RangeError(`convcs.load: backend '${backend}' was asked for, but ${why}`);
  }
  const noThreads = threadsAsked > 1 ? threadsUnavailable(source, o.module !== undefined) : undefined;
  const threaded = threadsAsked > 1 && noThreads === undefined;
  const module = o.module ?? await (threaded ? source!.compileShared!(backend!) : source!.compile(backend!));
  // Declared maximum at the cap: the memory can never outgrow maxMemoryBytes.
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: Math.ceil(maxMemoryBytes / PAGE), shared: threaded } as WebAssembly.MemoryDescriptor);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const engine = new Engine(instance, maxMemoryBytes);
  if (o.module !== undefined && backendOpt !== 'auto' && backendOpt !== engine.backend) {
    throw new RangeError(`convcs.load: backend '${backendOpt}' was asked for, but the module given is the ${engine.backend} build`);
  }
  if (noThreads !== undefined) engine.threadsNote = `${threadsAsked} threads were asked for, but ${noThreads}; this instance runs on one`;
  if (threaded) {
    const exports = instance.exports as Record<string, unknown>;
    const scratchBytes = (exports.SCRATCH_BYTES as WebAssembly.Global).value as number;
    const scratch = engine.allocAll(new Array<number>(threadsAsked - 1).fill(scratchBytes));
    try {
      engine.attachTeam(await ThreadTeam.start(threadsAsked, module, memory, exports, scratch));
    } catch (e) {
      for (const p of scratch) engine.heap.release(p);
      engine.threadsNote = `${threadsAsked} threads were asked for, but they could not start (${e instanceof Error ? e.message : String(e)}); this instance runs on one`;
    }
  }
  return engine;
}
