/// <reference types="node" />
// One study part on a worker thread of this process. The CLI's bundle is its own thread script:
// main.ts serves the task when it runs off the main thread. Used by `convcs study --workers n`
// and by the queue worker, whose main thread must stay free to renew its job's lock while the
// part (a synchronous loop in the library) runs.

import { Worker, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Convcs, StudyCellPart, StudyPart, StudyPartHeader, StudySpec } from 'convcs';

export const THREAD_TASK = 'convcs-study-part';

export interface ThreadTask {
  task: typeof THREAD_TASK;
  spec: StudySpec;
  weights?: Float32Array;
  shard: { index: number; count: number };
}

type Message =
  | { type: 'cell'; cell: StudyCellPart }
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; header: StudyPartHeader }
  | { type: 'error'; name: string; message: string };

export function isThreadTask(data: unknown): data is ThreadTask {
  return data !== null && typeof data === 'object' && (data as ThreadTask).task === THREAD_TASK;
}

/** Run a part on a new thread; resolves with the whole part (its cells also go to onCell as they finish). */
export function runPartInThread(
  task: Omit<ThreadTask, 'task'>,
  onCell: (c: StudyCellPart) => void,
  onProgress: (done: number, total: number) => void,
): { done: Promise<StudyPart>; terminate: () => Promise<number> } {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { task: THREAD_TASK, ...task } });
  const results: StudyCellPart[] = [];
  const done = new Promise<StudyPart>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: Message) => {
      if (m.type === 'cell') { results.push(m.cell); onCell(m.cell); }
      else if (m.type === 'progress') onProgress(m.done, m.total);
      else if (m.type === 'done') { settled = true; resolve({ ...m.header, results }); void worker.terminate(); }
      else {
        settled = true;
        const E = m.name === 'RangeError' ? RangeError : m.name === 'TypeError' ? TypeError : Error;
        reject(new E(m.message));
        void worker.terminate();
      }
    });
    worker.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
    worker.on('exit', (code) => { if (!settled) { settled = true; reject(new Error(`study thread exited with code ${code}`)); } });
  });
  return { done, terminate: () => worker.terminate() };
}

/** The thread's side: run the part in workerData and report back. */
export async function serveThread(load: () => Promise<Convcs>): Promise<void> {
  const t = workerData as ThreadTask;
  const port = parentPort!;
  try {
    const cs = await load();
    const part = cs.studyPart(t.spec, {
      shard: t.shard,
      ...(t.weights ? { weights: t.weights } : {}),
      onCell: (cell) => port.postMessage({ type: 'cell', cell } satisfies Message),
      onProgress: (done, total) => port.postMessage({ type: 'progress', done, total } satisfies Message),
    });
    const { results: _r, ...header } = part;
    port.postMessage({ type: 'done', header } satisfies Message);
  } catch (e) {
    port.postMessage({ type: 'error', name: (e as Error).name ?? 'Error', message: (e as Error).message ?? String(e) } satisfies Message);
  }
}
