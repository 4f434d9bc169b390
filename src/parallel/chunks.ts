// How a call's work is cut into tasks for the pool, and how long a silent worker is waited for.

import { positiveInt } from '../validate.js';

/** Tasks per worker: enough for the fast workers to take over from a slow one near the end. */
const TASKS_PER_WORKER = 8;

/** [start, end) into contiguous pieces, about TASKS_PER_WORKER per worker, none empty. */
export function chunks(start: number, end: number, workers: number): Array<[number, number]> {
  const total = end - start;
  const count = Math.max(1, Math.min(total, workers * TASKS_PER_WORKER));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    out.push([start + Math.floor((i * total) / count), start + Math.floor(((i + 1) * total) / count)]);
  }
  return out;
}

/** At most this many workers per call. */
export const MAX_WORKERS = 256;

/**
 * How long a worker running a task may say nothing before the call gives up on it (ms), by default.
 * Workers send a sign of life at least every ALIVE_EVERY_MS while they work, so only a worker that
 * is gone (terminated without an event, as a page kills a Web Worker) or stuck stays silent this long.
 */
export const WORKER_TIMEOUT_MS = 60_000;
export const ALIVE_EVERY_MS = 500;

/** The call's `workerTimeout` option, checked. */
export function workerTimeout(where: string, value: unknown): number {
  return value === undefined ? WORKER_TIMEOUT_MS : positiveInt(where, 'workerTimeout', value, 2 ** 31 - 1);
}
