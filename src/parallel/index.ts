// Scale-out: worker pools (cs.rip, cs.ihtBatch and cs.recoverBatch with `workers`), sharded studies and their
// merge, and the worker entry.

export { ripWithWorkers } from './rip.js';
export { ihtBatch, ihtBatchWithWorkers, recoverBatch, recoverBatchWithWorkers } from './recover-batch.js';
export type { IhtBatchOptions, RecoverBatchOptions } from './recover-batch.js';
export { mergeRipReports } from './merge.js';
export type { RipShardReport } from './merge.js';
export { closePool, setWorkerFactory, poolFor } from './pool.js';
export type { WorkerFactory, WorkerLike, WorkerEventLike } from './host.js';
export { serveWorker } from './worker.js';
