/// <reference types="node" />
// convcs study spec.json --queue redis://...: enqueue the parts a folder does not hold yet (one
// job per part, keyed by fingerprint and shard, so nothing is queued twice), then watch them:
// each finished part is written to the folder as it arrives, progress is summed over every
// worker, and a part that failed all its attempts is reported with its reason while the others
// are kept. Watching polls the jobs' states, which survives a Redis restart: the client
// reconnects and the states are read again (Redis keeps them on disk with appendonly).

import { Queue } from 'bullmq';
import type { Job } from 'bullmq';
import type { StudyPart, StudyPartHeader, StudySpec } from 'convcs';
import { writePart } from '../study/parts.js';
import { connectionOf, jobId, QUEUE_NAME } from './connection.js';
import type { PartJob } from './worker.js';

export interface CoordinatorSettings {
  queue: string;
  spec: StudySpec;
  weightsFile?: string;
  header: Omit<StudyPartHeader, 'shard'>;
  out: string;
  count: number;
  todo: number[];
  attempts: number;
  /** Called with the percentage of the study's remaining parts done (summed over workers). */
  onProgress: (percent: number) => void;
  log: (line: string) => void;
}

export interface Failure {
  shard: number;
  reason: string;
  attempts: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Returns the shards that failed (empty when every part is now in the folder). */
export async function coordinate(s: CoordinatorSettings): Promise<Failure[]> {
  const queue = new Queue<PartJob, StudyPart>(QUEUE_NAME, { connection: connectionOf(s.queue) });
  queue.on('error', () => { /* reconnects on its own; the poll below retries */ });
  const fp = s.header.fingerprint;
  const pending = new Map<number, number>(); // shard -> progress (0..100)
  const failures: Failure[] = [];
  try {
    for (const index of s.todo) {
      const id = jobId(fp, index, s.count);
      const old = await queue.getJob(id);
      if (old) {
        const state = await old.getState();
        if (state === 'completed' && isPart(old.returnvalue, fp, index, s.count)) {
          // finished after an earlier coordinator stopped watching: keep its result
          writePart(s.out, old.returnvalue);
          continue;
        }
        if (state === 'failed' || state === 'completed') await old.remove();
        else { pending.set(index, 0); continue; } // waiting or running already
      }
      await queue.add('part', { spec: s.spec, ...(s.weightsFile ? { weightsFile: s.weightsFile } : {}), fingerprint: fp, shard: { index, count: s.count } }, {
        jobId: id, attempts: s.attempts, backoff: { type: 'fixed', delay: 100 }, removeOnComplete: false, removeOnFail: false,
      });
      pending.set(index, 0);
    }
    const total = s.todo.length;
    while (pending.size > 0) {
      await sleep(150);
      for (const index of [...pending.keys()]) {
        let job: Job<PartJob, StudyPart> | undefined;
        let state: string;
        try {
          // the state first, then the job: read the other way round, a part that completes in
          // between would show as completed without its result
          state = await queue.getJobState(jobId(fp, index, s.count));
          job = await queue.getJob(jobId(fp, index, s.count));
        } catch {
          break; // Redis is away: try again on the next round
        }
        if (!job || state === 'unknown') {
          // the queue lost the job (Redis restarted without its data): queue it again
          await queue.add('part', { spec: s.spec, ...(s.weightsFile ? { weightsFile: s.weightsFile } : {}), fingerprint: fp, shard: { index, count: s.count } }, {
            jobId: jobId(fp, index, s.count), attempts: s.attempts, backoff: { type: 'fixed', delay: 100 }, removeOnComplete: false, removeOnFail: false,
          }).catch(() => {});
          continue;
        }
        if (state === 'completed') {
          if (!isPart(job.returnvalue, fp, index, s.count)) {
            failures.push({ shard: index, reason: 'the worker returned something that is not this part', attempts: job.attemptsMade });
          } else {
            writePart(s.out, job.returnvalue);
            s.log(`shard ${index}/${s.count} complete`);
          }
          pending.delete(index);
        } else if (state === 'failed') {
          failures.push({ shard: index, reason: job.failedReason ?? 'unknown', attempts: job.attemptsMade });
          pending.delete(index);
        } else {
          pending.set(index, typeof job.progress === 'number' ? job.progress : 0);
        }
      }
      const running = [...pending.values()].reduce((a, b) => a + b, 0);
      s.onProgress(total === 0 ? 100 : ((total - pending.size) * 100 + running) / total);
    }
  } finally {
    await queue.close();
  }
  return failures.sort((a, b) => a.shard - b.shard);
}

function isPart(v: unknown, fp: string, index: number, count: number): v is StudyPart {
  const p = v as StudyPart | null;
  return p !== null && typeof p === 'object' && p.fingerprint === fp && p.shard?.index === index && p.shard?.count === count && Array.isArray(p.results);
}
