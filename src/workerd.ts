// The `workerd` entry (dist/workerd.mjs): the same API as index.ts, for Cloudflare workerd and any
// bundler that maps a `.wasm` import to a compiled WebAssembly.Module.
//
// workerd refuses to compile WebAssembly from bytes at run time (WebAssembly.compile and
// instantiate(bytes) throw), so the embedded base64 modules that index.ts compiles cannot be used
// there. Instead the two modules ship beside this file in dist/, and importing them makes the
// runtime (or the bundler) compile them ahead of time; load() then only instantiates.

// TypeScript has no type for a `.wasm` import and this tree has no ambient declaration for one;
// the import is never resolved by tsc, only by rollup (kept external) and then by workerd, which
// gives a WebAssembly.Module. load() checks that with instanceof before using it.
// @ts-expect-error -- no declaration for `*.wasm` modules (see above)
import simdModule from './convcs-simd.wasm';
// @ts-expect-error -- no declaration for `*.wasm` modules (see above)
import scalarModule from './convcs-scalar.wasm';
import { load as loadWith } from './index.js';
import type { Convcs, LoadOptions } from './index.js';

export * from './index.js';

/**
 * Instantiate the kernels from the precompiled modules that ship with this entry: SIMD by default
 * (workerd supports WebAssembly SIMD), the scalar one with `{ backend: 'scalar' }`. A `module`
 * given in the options is used as it is, exactly as in the default entry; so is any other
 * backend, which needs compiling from bytes and so does not load inside workerd itself.
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
  // Anything this entry has no precompiled module for goes to the shared load() unchanged: options
  // that are not a plain object, an explicit `module`, and any other backend (bad values then get
  // the same errors as in the default entry; a valid one is compiled from the embedded bytes,
  // which works under a bundler and is refused by workerd itself).
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    return loadWith(options);
  }
  if (options?.module !== undefined) return loadWith(options);
  const backend: unknown = options?.backend;
  let module: unknown;
  if (backend === undefined || backend === 'auto' || backend === 'simd') module = simdModule;
  else if (backend === 'scalar') module = scalarModule;
  else return loadWith(options);
  return loadWith({ ...options, module: module as WebAssembly.Module });
}
