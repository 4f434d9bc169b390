// Scale-out: worker pools (cs.rip and cs.ihtBatch with `workers`), sharded studies and their
// merge, and the worker entry.

export { ripWithWorkers } from './rip.js';
export { ihtBatch, ihtBatchWithWorkers } from './iht-batch.js';
export type { IhtBatchOptions } from './iht-batch.js';
export { mergeRipReports } from './merge.js';
export type { RipShardReport } from './merge.js';
export { closePool, setWorkerFactory, poolFor } from './pool.js';
export type { WorkerFactory, WorkerLike, WorkerEventLike } from './host.js';
export { serveWorker } from './worker.js';
