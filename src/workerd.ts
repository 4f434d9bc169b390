// The `workerd` entry (dist/workerd.mjs): the same API as index.ts, for Cloudflare workerd and any
// bundler that maps a `.wasm` import to a compiled WebAssembly.Module.
//
// workerd refuses to compile WebAssembly from bytes at run time (WebAssembly.compile and
// instantiate(bytes) throw), so this entry embeds no bytes at all: the SIMD and scalar modules
// ship beside this file in dist/, and importing them makes the runtime (or the bundler) compile
// them ahead of time; load() then only instantiates. The relaxed-SIMD module is not shipped here
// (its bits depend on the CPU, and an engine without relaxed SIMD would refuse the whole worker
// at its import).

// TypeScript has no type for a `.wasm` import and this tree has no ambient declaration for one;
// the import is never resolved by tsc, only by rollup (kept external) and then by workerd, which
// gives a WebAssembly.Module. The source checks that with instanceof before using it.
// @ts-expect-error -- no declaration for `*.wasm` modules (see above)
import simdModule from './convcs-simd.wasm';
// @ts-expect-error -- no declaration for `*.wasm` modules (see above)
import scalarModule from './convcs-scalar.wasm';
import { createEngine, registerModuleSource } from './instance.js';
import type { Backend, LoadOptions, ModuleSource } from './instance.js';
import { Convcs } from './convcs.js';

export * from './api.js';

const shipped: Partial<Record<Backend, unknown>> = { simd: simdModule, scalar: scalarModule };

const importedModules: ModuleSource = {
  unavailable(backend) {
    return shipped[backend] instanceof WebAssembly.Module
      ? undefined
      : `the workerd entry ships only the 'simd' and 'scalar' modules (precompiled .wasm files); pass { module } for any other`;
  },
  compile: (backend) => Promise.resolve(shipped[backend] as WebAssembly.Module),
};

registerModuleSource(importedModules);

/**
 * Instantiate the kernels from the precompiled modules that ship with this entry: SIMD by default
 * (workerd supports WebAssembly SIMD), the scalar one with `{ backend: 'scalar' }`. A `module`
 * given in the options is used as it is, exactly as in the default entry.
 * @example
 * // A Cloudflare Worker: `convcs` resolves to this entry through the `workerd` condition.
 * import { load } from 'convcs';
 * export default {
 *   async fetch() {
 *     const cs = await load();
 *     return new Response(cs.backend); // 'simd'
 *   },
 * };
 */
export async function load(options?: LoadOptions): Promise<Convcs> {
  return new Convcs(await createEngine(options, importedModules));
}

/** True: the SIMD module was compiled when this entry was imported. */
export function simdSupported(): boolean {
  return importedModules.unavailable('simd') === undefined;
}

/** False: this entry does not ship the relaxed-SIMD module. */
export function relaxedSimdSupported(): boolean {
  return false;
}

/** This entry embeds no bytes: the modules are the files dist/convcs-simd.wasm and dist/convcs-scalar.wasm beside it. */
export function wasmBytes(backend: Backend): never {
  throw new RangeError(`convcs.wasmBytes: the workerd entry embeds no module bytes; read dist/convcs-${String(backend)}.wasm instead`);
}
