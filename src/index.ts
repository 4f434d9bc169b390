// The default entry (dist/index.mjs, index.cjs, convcs.browser.mjs): the public surface
// (api.ts), with load() compiling the modules embedded in this file.

import { createEngine, registerModuleSource } from './instance.js';
import type { LoadOptions } from './instance.js';
import { Convcs } from './convcs.js';
import { embeddedModules, simdSupported, relaxedSimdSupported, wasmBytes } from './embedded.js';
import { setWorkerEntry } from './parallel/worker.js';

export * from './api.js';

// workers started by this instance load this same entry, and so these same modules
registerModuleSource(embeddedModules);
setWorkerEntry(import.meta.url);

/**
 * Instantiate the kernels. The wasm bytes are embedded, so this needs no file system, fetch or
 * URL; pass `{ module }` where the runtime forbids compiling from bytes (Cloudflare workerd).
 * @example
 * import { load } from 'convcs';
 * const cs = await load();
 * const W = cs.conv2d({ inChannels: 3, outChannels: 16, kernelSize: 3, height: 32, width: 32 });
 */
export async function load(options?: LoadOptions): Promise<Convcs> {
  return new Convcs(await createEngine(options, embeddedModules));
}

export { simdSupported, relaxedSimdSupported, wasmBytes };

