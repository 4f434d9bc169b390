// How a call's work is cut into tasks for the pool.

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
