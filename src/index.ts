// The public surface of convcs, and nothing else.

import { createEngine, simdSupported, wasmBytes } from './instance.js';
import type { LoadOptions, Backend } from './instance.js';
import { Convcs } from './convcs.js';

/**
 * Instantiate the kernels. The wasm bytes are embedded, so this needs no file system, fetch or
 * URL; pass `{ module }` where the runtime forbids compiling from bytes (Cloudflare workerd).
 * @example
 * import { load } from 'convcs';
 * const cs = await load();
 * const W = cs.conv2d({ inChannels: 3, outChannels: 16, kernelSize: 3, height: 32, width: 32 });
 */
export async function load(options?: LoadOptions): Promise<Convcs> {
  return new Convcs(await createEngine(options));
}

export { Convcs, simdSupported, wasmBytes };
export type { LoadOptions, Backend };
export { ConvOperator } from './operator.js';
export type { LinearOperator, Conv1dOptions, Conv2dOptions, RandomizeOptions, Padding, ConvGeometry } from './operator.js';
export type {
  Pool, ProjectMode, ProjectOptions, ProjectResult, PoolOptions, MaxPoolResult, UnpoolOptions, BlockGeometry,
} from './projection.js';
export type { RandomOptions, UniformOptions } from './random.js';
