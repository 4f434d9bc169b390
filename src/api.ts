// The public surface shared by every entry: everything but load() and the module helpers, which
// each entry defines for where its modules come from (index.ts embeds them, workerd.ts imports
// them as files).

export { Convcs } from './convcs.js';
export type { LoadOptions, Backend } from './instance.js';
export { ConvOperator } from './conv/operator.js';
export {
  WINOGRAD_MIN_CHANNELS, WINOGRAD_BLOCK_BYTES, WINOGRAD_DENSE_FROM, PIXEL_FORWARD_MAX,
  WINOGRAD_4X4_MIN_CHANNELS, WINOGRAD_4X4_MAX_CHANNELS, WINOGRAD_4X4_MAX_WORK, WINOGRAD_4X4_BLOCK_BYTES,
} from './conv/choose.js';
export type { LinearOperator } from './linear-operator.js';
export type { Conv1dOptions, Conv2dOptions, RandomizeOptions, Padding, ConvGeometry } from './conv/geometry.js';
export type {
  Pool, ProjectMode, ProjectOptions, ProjectResult, PoolOptions, MaxPoolResult, UnpoolOptions, BlockGeometry,
} from './projection.js';
export type { RandomOptions, SampleOptions, UniformOptions, ModelSparseOptions } from './random.js';
export type { ReconstructOptions, ReconstructResult, IhtOptions, IhtResult } from './algorithms/iht.js';
export type { Iterate, OnIteration } from './algorithms/iterate.js';
export type { PursuitOptions, PursuitResult } from './algorithms/pursuit.js';
export type { CosampOptions } from './algorithms/cosamp.js';
export type { HtpOptions } from './algorithms/htp.js';
export type { SubspacePursuitOptions } from './algorithms/subspace-pursuit.js';
export type { LeastSquaresOptions, LeastSquaresResult } from './algorithms/least-squares.js';
export type { RecoverMethod } from './algorithms/methods.js';
export { RECOVER_METHODS } from './algorithms/methods.js';
export type { RipOptions, RipReport, RipValues, RipShard, RipShardInfo } from './algorithms/rip.js';
export { mergeRipReports, serveWorker } from './parallel/index.js';
export type { IhtBatchOptions, RecoverBatchOptions, RipShardReport, WorkerFactory, WorkerLike, WorkerEventLike } from './parallel/index.js';
export { theorem33Bound, RIP_SECOND_CODE_START } from './algorithms/rip.js';
export type { HistogramOptions, Histogram, Summary } from './algorithms/stats.js';
export type { CoherenceOptions, CoherenceResult } from './algorithms/coherence.js';
export type { SparseCodeOptions, SparseCodeResult } from './algorithms/sparse-code.js';
export type { NormOptions } from './algorithms/power.js';
export type { SparsityOptions } from './algorithms/sparsity.js';
export { CReluOperator } from './algorithms/crelu.js';
export { Stack } from './algorithms/stack.js';
export type { StackEncodeOptions, StackReconstruction } from './algorithms/stack.js';
export type { WeightsSource, WeightsFormat, LoadWeightsOptions, LoadedWeights, TfjsWeightsSource } from './loaders/index.js';
export { mergeStudyParts, normalizeSpec, studyCells, STUDY_METHODS, ERROR_EDGES, RATIO_EDGES } from './study/index.js';
export type {
  StudyOptions, StudyPartOptions, StudyPart, StudyPartHeader, StudyCellPart, StudyReport, StudyCellReport,
  StudySpec, StudyLayer, StudyGrid, StudyWeights, StudyCell, StudyMethod, StatData, StatSummary,
} from './study/index.js';
