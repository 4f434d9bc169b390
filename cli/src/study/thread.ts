/// <reference types="node" />
// Study parts on worker threads of this process. A thread's script is dist/study-thread.mjs
// (thread-entry.ts, beside the CLI's bundle), which loads the library and nothing else; a thread
// loads it once and then runs parts one after another. Used by `convcs study --workers n` and by
// the queue worker, whose main thread must stay free to renew its job's lock while a part (a
// synchronous loop in the library) runs.

import { Worker, parentPort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Convcs, StudyCellPart, StudyPart, StudyPartHeader, StudySpec } from 'convcs';

export const THREAD_TASK = 'convcs-study-thread';

export interface PartTask {
  spec: StudySpec;
  weights?: Float32Array;
  shard: { index: number; count: number };
}

type Message =
  | { type: 'cell'; cell: StudyCellPart }
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; header: StudyPartHeader }
  | { type: 'error'; name: string; message: string };

export function isThreadTask(data: unknown): boolean {
  return data !== null && typeof data === 'object' && (data as { task?: unknown }).task === THREAD_TASK;
}

/** One thread that runs parts one at a time. */
export class PartThread {
  private readonly worker: Worker;
  private busy: Promise<unknown> = Promise.resolve();

  constructor() {
    this.worker = new Worker(fileURLToPath(new URL('./study-thread.mjs', import.meta.url)), { workerData: { task: THREAD_TASK } });
    this.worker.unref();
  }

  /** Run a part; resolves with the whole part (its cells also go to onCell as they finish). */
  run(task: PartTask, onCell: (c: StudyCellPart) => void, onProgress: (done: number, total: number) => void): Promise<StudyPart> {
    const run = this.busy.then(() => new Promise<StudyPart>((resolve, reject) => {
      const results: StudyCellPart[] = [];
      const off = (): void => {
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
      };
      const onMessage = (m: Message): void => {
        if (m.type === 'cell') { results.push(m.cell); onCell(m.cell); }
        else if (m.type === 'progress') onProgress(m.done, m.total);
        else if (m.type === 'done') { off(); resolve({ ...m.header, results }); }
        else {
          off();
          const E = m.name === 'RangeError' ? RangeError : m.name === 'TypeError' ? TypeError : Error;
          reject(new E(m.message));
        }
      };
      const onError = (e: Error): void => { off(); reject(e); };
      const onExit = (code: number): void => { off(); reject(new Error(`study thread exited with code ${code}`)); };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.on('exit', onExit);
      this.worker.postMessage(task);
    }));
    this.busy = run.catch(() => {});
    return run;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The thread's side: load the library once, then run each part posted to it. */
export async function serveThread(load: () => Promise<Convcs>): Promise<void> {
  const port = parentPort!;
  const cs = load();
  port.on('message', (t: PartTask) => {
    void cs.then((c) => {
      try {
        const part = c.studyPart(t.spec, {
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
    }, (e: unknown) => port.postMessage({ type: 'error', name: 'Error', message: `cannot load convcs: ${String(e)}` } satisfies Message));
  });
}
