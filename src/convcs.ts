// The object load() returns: one wasm instance and every public operation on it.

import { Engine } from './instance.js';
import type { Backend } from './instance.js';
import { ConvOperator } from './conv/operator.js';
import { conv1dGeometry, conv2dGeometry } from './conv/geometry.js';
import type { Conv1dOptions, Conv2dOptions } from './conv/geometry.js';
import { project, maxPool, unpool } from './projection.js';
import type { ProjectOptions, ProjectResult, PoolOptions, MaxPoolResult, UnpoolOptions } from './projection.js';
import { randn, rand, draws64, sampleModelSparse } from './random.js';
import type { RandomOptions, SampleOptions, UniformOptions, ModelSparseOptions } from './random.js';
import { reconstruct, iht } from './algorithms/iht.js';
import type { ReconstructOptions, ReconstructResult, IhtOptions, IhtResult } from './algorithms/iht.js';
import { cosamp } from './algorithms/cosamp.js';
import type { CosampOptions } from './algorithms/cosamp.js';
import { htp } from './algorithms/htp.js';
import type { HtpOptions } from './algorithms/htp.js';
import { subspacePursuit } from './algorithms/subspace-pursuit.js';
import type { SubspacePursuitOptions } from './algorithms/subspace-pursuit.js';
import type { PursuitResult } from './algorithms/pursuit.js';
import { leastSquares } from './algorithms/least-squares.js';
import type { LeastSquaresOptions, LeastSquaresResult } from './algorithms/least-squares.js';
import { rip } from './algorithms/rip.js';
import type { RipOptions, RipReport } from './algorithms/rip.js';
import { histogram, sparsity, summarize } from './algorithms/stats.js';
import type { HistogramOptions, Histogram, Summary } from './algorithms/stats.js';
import { coherence } from './algorithms/coherence.js';
import type { CoherenceOptions, CoherenceResult } from './algorithms/coherence.js';
import { sparseCode } from './algorithms/sparse-code.js';
import type { SparseCodeOptions, SparseCodeResult } from './algorithms/sparse-code.js';
import { normEstimate } from './algorithms/power.js';
import type { NormOptions } from './algorithms/power.js';
import { crelu, CReluOperator } from './algorithms/crelu.js';
import { Stack } from './algorithms/stack.js';
import type { LinearOperator } from './linear-operator.js';
import {
  ripWithWorkers, ihtBatch, ihtBatchWithWorkers, recoverBatch, recoverBatchWithWorkers, mergeRipReports, closePool, setWorkerFactory,
} from './parallel/index.js';
import type { IhtBatchOptions, RecoverBatchOptions, RipShardReport, WorkerFactory } from './parallel/index.js';
import { loadWeights } from './loaders/index.js';
import { study, studyPart, studyHeader, mergeStudyParts } from './study/index.js';
import type { StudyOptions, StudyPartOptions, StudyPart, StudyPartHeader, StudyReport } from './study/index.js';
import type { WeightsSource, LoadWeightsOptions, LoadedWeights } from './loaders/index.js';

// An instance that is collected ends its threads (their operators, if any are still in use, go on
// with one thread). workerd has no FinalizationRegistry, and no threads either.
const teams = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Engine>((engine) => engine.closeThreads()) : undefined;

/** True when a call asks for worker threads (and so returns a Promise). */
function withWorkers(options: unknown): boolean {
  return options !== null && typeof options === 'object' && (options as { workers?: unknown }).workers !== undefined;
}

export class Convcs {
  /** @internal */
  readonly engine: Engine;

  /** @internal use load() */
  constructor(engine: Engine) {
    this.engine = engine;
    if (engine.team) teams?.register(this, engine);
  }

  /** Which kernels this instance runs: 'simd' (f32x4 micro-kernels) or 'scalar'. */
  get backend(): Backend {
    return this.engine.backend;
  }

  /**
   * Threads this instance splits its work between now (load({ threads })): 1 without threads,
   * where they cannot run, or after they were closed or one of them stopped.
   */
  get threads(): number {
    return this.engine.threads;
  }

  /** Why the instance runs on fewer threads than load() asked for (undefined when it does not). */
  get threadsNote(): string | undefined {
    return this.engine.threadsNote;
  }

  /**
   * End the instance's threads (load({ threads })); it goes on with one, with the same results.
   * They end by themselves when the instance is garbage-collected, and never keep a Node
   * process alive.
   */
  closeThreads(): void {
    this.engine.closeThreads();
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
  randn(count: number, options: SampleOptions): Float32Array {
    return randn(this.engine, count, options);
  }

  /** `count` uniform draws on [low, high) (default [0, 1)). */
  rand(count: number, options: UniformOptions): Float32Array {
    return rand(this.engine, count, options);
  }

  /**
   * A random model-k-sparse code of the given shape (k blocks uniformly, one uniformly placed
   * non-zero each): the codes `rip` draws, trial t from stream t.
   */
  sampleModelSparse(shape: readonly number[], options: ModelSparseOptions): { z: Float32Array; support: Int32Array } {
    return sampleModelSparse(this.engine, shape, options);
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

  // ---- the paper's algorithms: each takes an operator, never raw kernels ----

  /**
   * One CNN layer and its transpose, i.e. one IHT iteration from zero (Theorem 3.3):
   * z = M(W x, k), x^ = W^T z.
   * @example
   * const { xHat, relativeError } = cs.reconstruct(W, x, { pool: 2, density: 0.1 });
   */
  reconstruct(W: LinearOperator, x: Float32Array, options?: ReconstructOptions): ReconstructResult {
    return reconstruct(this.engine, W, x, options);
  }

  /**
   * Model-based Iterative Hard Thresholding (Algorithm 1) with Phi = W^T.
   * @example
   * const r = cs.iht(W, x, { pool: 'global', k: 10, iterations: 50, step: 'normalized' });
   * console.log(r.relativeError, r.history);
   */
  iht(W: LinearOperator, x: Float32Array, options?: IhtOptions): IhtResult {
    return iht(this.engine, W, x, options);
  }

  /**
   * Model-based CoSaMP (Baraniuk et al. 2010): proxy W r, merge the support with M(W r, 2k),
   * least squares on the merged support (conjugate gradients, no matrix), prune with M(., k).
   * @example
   * const r = cs.cosamp(W, x, { pool: 'global', k: 10 });
   * console.log(r.relativeError, r.iterations, r.lsSteps);
   */
  cosamp(W: LinearOperator, x: Float32Array, options?: CosampOptions): PursuitResult {
    return cosamp(this.engine, W, x, options);
  }

  /**
   * Model-based Hard Thresholding Pursuit (Foucart 2011): an IHT step picks the support, least
   * squares on it the values; step 'unit' (default) is mu = 1, 'normalized' is NHTP.
   * @example
   * const r = cs.htp(W, x, { pool: 'global', k: 10 });
   */
  htp(W: LinearOperator, x: Float32Array, options?: HtpOptions): PursuitResult {
    return htp(this.engine, W, x, options);
  }

  /**
   * Model-based Subspace Pursuit (Dai & Milenkovic 2009): merge with M(W r, k), least squares,
   * prune with M(., k), least squares again on what is kept; stops when the residual stops falling.
   * @example
   * const r = cs.subspacePursuit(W, x, { pool: 2, density: 0.05 });
   */
  subspacePursuit(W: LinearOperator, x: Float32Array, options?: SubspacePursuitOptions): PursuitResult {
    return subspacePursuit(this.engine, W, x, options);
  }

  /**
   * Least squares on a support T, matrix-free: min ||x - W^T z|| over codes z that are zero off
   * T, by conjugate gradients on the normal equations (one sparse transpose and one forward per step).
   * @example
   * const { z, normalResidual } = cs.leastSquares(W, x, { support: r.support });
   */
  leastSquares(W: LinearOperator, x: Float32Array, options: LeastSquaresOptions): LeastSquaresResult {
    return leastSquares(this.engine, W, x, options);
  }

  /**
   * Empirical model-RIP of W^T over random model-k-sparse codes (Figures 2 and 3).
   * @example
   * const r = cs.rip(W, { pool: 'global', k: 10, trials: 10000, seed: 1 });
   * console.log(r.summary.forward.median, r.deltaK, r.bound);
   */
  rip(W: LinearOperator, options: RipOptions & { workers: number }): Promise<RipReport>;
  rip(W: LinearOperator, options: RipOptions): RipReport;
  rip(W: LinearOperator, options: RipOptions): RipReport | Promise<RipReport> {
    // With `workers` the trials run on the instance's worker pool, and the report comes as a Promise.
    if (withWorkers(options)) return ripWithWorkers(this.engine, W, options);
    return rip(this.engine, W, options);
  }

  /**
   * Model-based IHT on many inputs: `xs` holds them end to end (a Float32Array) or as an array.
   * With `workers` they run on the instance's worker pool and the results come as a Promise; the
   * bits are the same either way, and the same as cs.iht on each input.
   * @example
   * const results = await cs.ihtBatch(W, xs, { pool: 'global', k: 10, iterations: 50, workers: 2 });
   */
  ihtBatch(W: LinearOperator, xs: Float32Array | readonly Float32Array[], options: IhtBatchOptions & { workers: number }): Promise<IhtResult[]>;
  ihtBatch(W: LinearOperator, xs: Float32Array | readonly Float32Array[], options?: IhtBatchOptions): IhtResult[];
  ihtBatch(W: LinearOperator, xs: Float32Array | readonly Float32Array[], options?: IhtBatchOptions): IhtResult[] | Promise<IhtResult[]> {
    if (withWorkers(options)) return ihtBatchWithWorkers(this.engine, W, xs, options!);
    return ihtBatch(this.engine, W, xs, options);
  }

  /**
   * One recovery method ('iht', 'cosamp', 'htp' or 'subspacePursuit', with that method's
   * options) on many inputs, as ihtBatch: in this thread, or with `workers` on the worker pool
   * (a Promise); the same bits either way, and the same as calling the method on each input.
   * @example
   * const results = await cs.recoverBatch(W, xs, { method: 'cosamp', pool: 'global', k: 10, workers: 2 });
   */
  recoverBatch(W: LinearOperator, xs: Float32Array | readonly Float32Array[], options: RecoverBatchOptions & { workers: number }): Promise<Array<IhtResult | PursuitResult>>;
  recoverBatch(W: LinearOperator, xs: Float32Array | readonly Float32Array[], options: RecoverBatchOptions): Array<IhtResult | PursuitResult>;
  recoverBatch(W: LinearOperator, xs: Float32Array | readonly Float32Array[], options: RecoverBatchOptions): Array<IhtResult | PursuitResult> | Promise<Array<IhtResult | PursuitResult>> {
    if (withWorkers(options)) return recoverBatchWithWorkers(this.engine, W, xs, options);
    return recoverBatch(this.engine, W, xs, options);
  }

  /**
   * The reports of every shard of a study (`rip(W, { ..., shard })`) joined into the unsharded report.
   * @example
   * const parts = [0, 1, 2].map((index) => cs.rip(W, { k: 10, trials: 30_000, seed: 2, shard: { index, count: 3 } }));
   * const report = cs.mergeRipReports(parts);
   */
  mergeRipReports(reports: readonly RipShardReport[]): RipReport {
    return mergeRipReports(reports);
  }

  /**
   * A study: a grid over filter counts, k or density, pooling, value distributions and recovery
   * methods, `trials` random codes per cell; per cell the success rate, error quantiles and the
   * model-RIP statistics. The spec is plain data (JSON); see docs/studies.md.
   * @example
   * const r = cs.study({ layer: { type: 'conv1d', inChannels: 32, kernelSize: 5, length: 32, weights: { seed: 1 } },
   *   grid: { outChannels: [96], k: [1, 5, 10] }, trials: 100, seed: 1 });
   * console.log(r.cells.map((c) => c.successRate));
   */
  study(spec: unknown, options?: StudyOptions): StudyReport {
    return study(this.engine, spec, options);
  }

  /**
   * One part of a study: shard `index` of `count` runs its range of trials in every cell.
   * mergeStudyParts joins the parts into exactly the report of cs.study.
   */
  studyPart(spec: unknown, options: StudyPartOptions): StudyPart {
    return studyPart(this.engine, spec, options);
  }

  /** What a study's parts will carry (its fingerprint includes a hash of the weights); runs no trial. */
  studyHeader(spec: unknown, options?: StudyOptions): Omit<StudyPartHeader, 'shard'> {
    return studyHeader(this.engine, spec, options);
  }

  /** Every part of one study (in any order) joined into its report, checked (same study, none missing or twice). */
  mergeStudyParts(parts: Iterable<StudyPart>): StudyReport {
    return mergeStudyParts(parts);
  }

  /**
   * Where the pool's workers come from: a function returning a Web Worker whose script calls
   * `serveWorker()` (for bundled browser apps), or undefined for the built-in way. Stops the
   * current workers.
   * @example
   * await cs.setWorkerFactory(() => new Worker(new URL('./convcs.worker.js', import.meta.url), { type: 'module' }));
   */
  setWorkerFactory(factory: WorkerFactory | undefined): Promise<void> {
    if (factory !== undefined && typeof factory !== 'function') {
      return Promise.reject(new TypeError('convcs.setWorkerFactory: factory must be a function or undefined'));
    }
    return setWorkerFactory(this.engine, factory);
  }

  /** Stop this instance's worker threads (the next call with `workers` starts new ones). */
  closeWorkers(): Promise<void> {
    return closePool(this.engine);
  }

  /** Equal-width histogram of values. */
  histogram(values: ArrayLike<number>, options?: HistogramOptions): Histogram {
    return histogram(values, options);
  }

  /** mean, median, 5th and 95th percentiles, min and max. */
  summarize(values: ArrayLike<number>): Summary {
    return summarize(values);
  }

  /** Filter coherence (Table 3), and over all shifted rows of W. */
  coherence(W: ConvOperator, options?: CoherenceOptions): CoherenceResult {
    return coherence(this.engine, W, options);
  }

  /** Algorithm 2: l1 least squares (FISTA), support from max-pool switches, refit on it. */
  sparseCode(W: LinearOperator, x: Float32Array, options?: SparseCodeOptions): SparseCodeResult {
    return sparseCode(this.engine, W, x, options);
  }

  /** ||W||_2 by a seeded power iteration. */
  normEstimate(W: LinearOperator, options?: NormOptions): number {
    return normEstimate(this.engine, W, options);
  }

  /** Fraction of non-zeros (Table 2). */
  sparsity(h: Float32Array | Float64Array): number {
    return sparsity(h);
  }

  /** The CReLU pair [W; -W] of section 3.1, as an operator. */
  crelu(W: ConvOperator): CReluOperator {
    return crelu(W);
  }

  /** Several layers: encode down with a projection per layer, decode up with the transposes. */
  stack(layers: readonly LinearOperator[]): Stack {
    return new Stack(this.engine, layers);
  }

  /**
   * One tensor of a weight file (.npy, safetensors, or TensorFlow.js manifest + shards) as
   * float32 in PyTorch layout (tfjs HWIO kernels become OIHW), ready for W.setWeights.
   * @example
   * const w = cs.loadWeights({ manifest, shards: [bin] }, { name: 'conv32_1/conv1/conv/filters' });
   * cs.conv2d({ inChannels: w.shape[1]!, outChannels: w.shape[0]!, kernelSize: 3, height: 35, width: 35, padding: 1 }).setWeights(w.data);
   */
  loadWeights(source: WeightsSource, options?: LoadWeightsOptions): LoadedWeights {
    return loadWeights(source, options);
  }
}
