// cs.rip(W, { ..., workers }): the trials (all of them, or a shard's) cut into contiguous tasks
// over the instance's worker pool. Trial t draws from stream t of the seed whatever runs it, and
// the report is assembled from the per-trial arrays in trial order and from maxima, so it is the
// in-thread report bit for bit, for any number of workers.

import type { Engine } from '../instance.js';
import { planRip, ripReport } from '../algorithms/rip.js';
import type { RipOptions, RipReport } from '../algorithms/rip.js';
import { positiveInt } from '../validate.js';
import { describeOperator } from './spec.js';
import { poolFor } from './pool.js';
import { chunks, MAX_WORKERS, workerTimeout } from './chunks.js';
import { injectedFault } from './testing.js';

/** The options a worker needs to make the same plan (no functions: they cannot be sent). */
const SHIPPED = ['pool', 'k', 'density', 'mode', 'trials', 'seed', 'values', 'measure'] as const;

export async function ripWithWorkers(engine: Engine, W: unknown, options: RipOptions): Promise<RipReport> {
  const where = 'rip';
  const { plan, op } = planRip(engine, where, W, options);
  op.release();
  const workers = positiveInt(where, 'workers', options.workers, MAX_WORKERS);
  const timeout = workerTimeout(where, options.workerTimeout);
  const spec = describeOperator(engine, where, W);
  const shipped: Record<string, unknown> = {};
  for (const key of SHIPPED) if (options[key] !== undefined) shipped[key] = options[key];
  const fault = injectedFault(options);
  const total = plan.end - plan.start;
  const forward = new Float64Array(total);
  const gram = new Float64Array(plan.all ? total : 0);
  const reconstruction = new Float64Array(plan.all ? total : 0);
  let deltaK = 0;
  let delta2K = 0;
  let done = 0;
  const parts = chunks(plan.start, plan.end, workers);
  await poolFor(engine).run(workers, spec,
    parts.map(([start, end]) => (opId, task) => ({
      message: { type: 'rip', task, op: opId, options: shipped, start, end, ...(fault ? { fault } : {}) },
    })),
    (i, r) => {
      const p = r.rip!;
      const at = parts[i]![0] - plan.start;
      forward.set(p.forward, at);
      if (plan.all) {
        gram.set(p.gram, at);
        reconstruction.set(p.reconstruction, at);
      }
      deltaK = Math.max(deltaK, p.deltaK);
      delta2K = Math.max(delta2K, p.delta2K);
      done += p.forward.length;
      options.onProgress?.(done, total);
    }, timeout);
  return ripReport(plan, { forward, gram, reconstruction, deltaK, delta2K });
}
