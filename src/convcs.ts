// The object load() returns: one wasm instance and every public operation on it.

import { Engine } from './instance.js';
import type { Backend } from './instance.js';
import { ConvOperator, conv1dGeometry, conv2dGeometry } from './operator.js';
import type { Conv1dOptions, Conv2dOptions } from './operator.js';
import { project, maxPool, unpool } from './projection.js';
import type { ProjectOptions, ProjectResult, PoolOptions, MaxPoolResult, UnpoolOptions } from './projection.js';
import { randn, rand, draws64 } from './random.js';
import type { RandomOptions, UniformOptions } from './random.js';

export class Convcs {
  /** @internal */
  readonly engine: Engine;

  /** @internal use load() */
  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** Which kernels this instance runs: 'simd' (f32x4 micro-kernels) or 'scalar'. */
  get backend(): Backend {
    return this.engine.backend;
  }

  /** Current size of the instance's linear memory in bytes. */
  get memoryBytes(): number {
    return this.engine.memoryBytes;
  }

  /**
   * A 1-D convolutional layer W: K filters of length l over M channels, stride t.
   * @example
   * const W = cs.conv1d({ inChannels: 32, outChannels: 96, kernelSize: 5, length: 32 });
   * W.randomize({ seed: 1 });
   * const h = W.forward(x);      // x: Float32Array of 32*32, h: 96*28
   */
  conv1d(options: Conv1dOptions): ConvOperator {
    return new ConvOperator(this.engine, conv1dGeometry(options), 1);
  }

  /**
   * A 2-D convolutional layer W with PyTorch's semantics and layouts.
   * @example
   * const W = cs.conv2d({ inChannels: 3, outChannels: 64, kernelSize: 3, height: 32, width: 32, padding: 'same' });
   */
  conv2d(options: Conv2dOptions): ConvOperator {
    return new ConvOperator(this.engine, conv2dGeometry(options), 2);
  }

  /** `count` N(0, 1) draws: draw i of stream `stream` under `seed`, the same bits in every runtime. */
  randn(count: number, options: RandomOptions): Float32Array {
    return randn(this.engine, count, options);
  }

  /** `count` uniform draws on [low, high) (default [0, 1)). */
  rand(count: number, options: UniformOptions): Float32Array {
    return rand(this.engine, count, options);
  }

  /** The generator's raw 64-bit draws. */
  draws64(count: number, options: RandomOptions): BigUint64Array {
    return draws64(this.engine, count, options);
  }

  /**
   * The block-sparse projection M(h, k): in each pooling block keep the entry of largest
   * magnitude, then keep the k strongest blocks (ties: lowest index).
   * @example
   * const { z, support } = cs.project(h, { shape: W.outputShape, pool: 2, density: 0.2 });
   */
  project(h: Float32Array, options: ProjectOptions): ProjectResult {
    return project(this.engine, h, options);
  }

  /** Max pooling with switches: one value per block and where it came from. */
  maxPool(h: Float32Array, options: PoolOptions): MaxPoolResult {
    return maxPool(this.engine, h, options);
  }

  /** Unpooling: values back to their switches, or (without switches) to each block's first element. */
  unpool(values: Float32Array, options: UnpoolOptions): Float32Array {
    return unpool(this.engine, values, options);
  }
}
