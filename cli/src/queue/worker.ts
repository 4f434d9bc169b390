/// <reference types="node" />
// convcs worker --queue redis://...: take study parts from the queue, run each on a thread of
// this process (the main thread keeps renewing the job's lock, so a long part is not taken for a
// stalled one), and return the part to the queue; the coordinator writes and merges it. A worker
// that dies mid-part stops renewing its lock: BullMQ's stall check hands the part to another.

import { UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Convcs, StudyPart, StudySpec } from 'convcs';
import { loadSpecWeights } from '../study/schema.js';
import { PartThread } from '../study/thread.js';
import { connectionOf, QUEUE_NAME } from './connection.js';

export interface PartJob {
  spec: StudySpec;
  weightsFile?: string;
  fingerprint: string;
  shard: { index: number; count: number };
}

export interface WorkerSettings {
  queue: string;
  concurrency: number;
  lockDuration: number;
  stalledInterval: number;
  /** Stop after this many ms without a job (0: never). */
  idleExit: number;
  log: (line: string) => void;
}

export async function runWorker(cs: Convcs, s: WorkerSettings): Promise<void> {
  // for the fault tests: parts whose index is listed here always throw
  const failing = new Set((process.env.CONVCS_FAULT_SHARDS ?? '').split(',').filter((v) => v !== '').map(Number));
  // threads kept between parts (one per part running at once), each with the library loaded
  const idle: PartThread[] = [];
  let active = 0;
  let idleSince = Date.now();
  const processor = async (job: Job<PartJob>): Promise<StudyPart> => {
    active++;
    try {
      return await runJob(job);
    } finally {
      active--;
      idleSince = Date.now();
    }
  };
  const runJob = async (job: Job<PartJob>): Promise<StudyPart> => {
    const { spec, weightsFile, fingerprint, shard } = job.data;
    if (failing.has(shard.index)) throw new Error(`injected fault in shard ${shard.index} (CONVCS_FAULT_SHARDS)`);
    const weights = weightsFile ? loadSpecWeights(cs, weightsFile, spec.layer.weights.name).weights : undefined;
    const header = cs.studyHeader(spec, weights ? { weights } : undefined);
    if (header.fingerprint !== fingerprint) {
      // another backend or other weights here: retrying on this machine cannot help
      throw new UnrecoverableError(`this worker computes fingerprint ${header.fingerprint} (backend ${header.backend}), the study has ${fingerprint}`);
    }
    s.log(`shard ${shard.index}/${shard.count}: started (job ${job.id}, attempt ${job.attemptsMade + 1})`);
    let last = 0;
    const thread = idle.pop() ?? new PartThread();
    const part = await thread.run({ spec, ...(weights ? { weights } : {}), shard }, () => {}, (done, total) => {
      const now = Date.now();
      if (now - last > 200 || done === total) {
        last = now;
        void job.updateProgress(Math.round((1000 * done) / total) / 10).catch(() => {});
      }
    }).catch(async (e: unknown) => {
      await thread.terminate(); // a thread that failed a part is not reused
      throw e;
    });
    idle.push(thread);
    s.log(`shard ${shard.index}/${shard.count}: done`);
    return part;
  };
  const worker = new Worker<PartJob, StudyPart>(QUEUE_NAME, processor, {
    connection: connectionOf(s.queue),
    concurrency: s.concurrency,
    lockDuration: s.lockDuration,
    stalledInterval: s.stalledInterval,
    // a part whose worker died counts as one attempt
    maxStalledCount: 5,
  });
  worker.on('error', (e) => s.log(`queue error: ${e.message}`));
  worker.on('failed', (job, e) => s.log(`shard ${job?.data.shard.index ?? '?'}: failed: ${e.message}`));
  await worker.waitUntilReady();
  s.log(`worker ${process.pid} waiting for study parts on ${s.queue}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      // a closing worker waits for Redis; with Redis gone it would wait for ever
      setTimeout(() => process.exit(0), 3000).unref();
      void worker.close().then(() => Promise.all(idle.map((t) => t.terminate()))).then(() => resolve());
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    if (s.idleExit > 0) {
      const timer = setInterval(() => {
        if (active === 0 && Date.now() - idleSince > s.idleExit) { clearInterval(timer); stop(); }
      }, 200);
    }
  });
}
