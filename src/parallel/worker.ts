// The worker side: serveWorker() answers a pool's messages with its own wasm instance. A worker
// started by convcs runs this module (the package's file, or this source) as its entry and
// serves by itself (the check at the end); a Web Worker script for cs.setWorkerFactory is just:
//     import { serveWorker } from 'convcs';
//     serveWorker();

import { createEngine } from '../instance.js';
import type { Engine } from '../instance.js';
import type { LinearOperator } from '../linear-operator.js';
import { planRip, ripRange } from '../algorithms/rip.js';
import type { RipPartial } from '../algorithms/rip.js';
import type { IhtResult } from '../algorithms/iht.js';
import { methods } from '../algorithms/methods.js';
import { buildOperator } from './spec.js';
import { serializeError } from './messages.js';
import type { FromWorker, ToWorker } from './messages.js';
import { faultAt, fail } from './testing.js';
import { WEB_WORKER_NAME, WORKER_MARK, isNodeLike, nodeProcess, workerThreads } from './host.js';
import { ALIVE_EVERY_MS } from './chunks.js';
import { startThread } from '../threads/thread.js';

let entryUrl: string = import.meta.url;

/**
 * The entry of the workers convcs starts: the module the package was imported through (index.ts
 * or its bundle, which registers where the wasm modules come from), so that a worker finds the
 * same modules. It imports this file, which holds the check at the end.
 */
export function setWorkerEntry(url: string): void {
  entryUrl = url;
}

export function workerEntryUrl(): string {
  return entryUrl;
}

/** Resolve a package from here (tsx's API, when the worker must load TypeScript sources). */
export const resolveFromWorkerModule: ((specifier: string) => string) | undefined =
  (import.meta as { resolve?: (specifier: string) => string }).resolve;

interface Port {
  listen(fn: (m: ToWorker) => void): void;
  post(m: FromWorker, transfer?: Transferable[]): void;
}

function connect(): Port {
  const wt = workerThreads();
  if (wt?.parentPort) {
    const port = wt.parentPort;
    return {
      listen: (fn) => port.on('message', (m) => fn(m as ToWorker)),
      post: (m, transfer) => port.postMessage(m, transfer),
    };
  }
  const scope = globalThis as unknown as {
    addEventListener?(type: 'message', fn: (e: MessageEvent) => void): void;
    postMessage?(m: unknown, transfer?: Transferable[]): void;
    document?: unknown;
  };
  if (typeof scope.addEventListener === 'function' && typeof scope.postMessage === 'function' && scope.document === undefined) {
    return {
      listen: (fn) => scope.addEventListener!('message', (e) => fn(e.data as ToWorker)),
      post: (m, transfer) => scope.postMessage!(m, transfer ?? []),
    };
  }
  throw new Error('convcs.serveWorker: not inside a worker (no parentPort or worker global scope)');
}

class Server {
  private engine: Engine | undefined;
  private startError: unknown;
  private readonly ops = new Map<number, { op: LinearOperator; dispose(): void }>();
  private readonly opErrors = new Map<number, unknown>();

  constructor(private readonly port: Port) {}

  async handle(m: ToWorker): Promise<void> {
    switch (m.type) {
      case 'thread':
        try {
          const loop = await startThread(m);
          this.port.post({ type: 'thread-ready' });
          loop(); // until the team stops
        } catch (e) {
          this.port.post({ type: 'fatal', error: serializeError(e) });
        }
        return;
      case 'init':
        try {
          this.engine = await createEngine({ backend: m.backend, maxMemoryBytes: m.maxMemoryBytes });
        } catch (e) {
          this.startError = e;
          this.port.post({ type: 'fatal', error: serializeError(e) });
        }
        return;
      case 'op':
        try {
          this.ops.set(m.id, buildOperator(this.need(), m.spec));
        } catch (e) {
          this.opErrors.set(m.id, e); // reported by the tasks that use it
        }
        return;
      case 'drop':
        this.ops.get(m.id)?.dispose();
        this.ops.delete(m.id);
        this.opErrors.delete(m.id);
        return;
      case 'rip':
      case 'recover':
        try {
          if (m.type === 'rip') {
            const partial = this.rip(m);
            this.port.post({ type: 'result', task: m.task, rip: partial },
              [partial.forward.buffer, partial.gram.buffer, partial.reconstruction.buffer] as Transferable[]);
          } else {
            const results = this.recover(m);
            this.port.post({ type: 'result', task: m.task, recover: results },
              results.flatMap((r) => [r.z.buffer, r.support.buffer, r.xHat.buffer, r.history.buffer]) as Transferable[]);
          }
        } catch (e) {
          this.port.post({ type: 'error', task: m.task, error: serializeError(e) });
        }
    }
  }

  private need(): Engine {
    if (!this.engine) throw this.startError ?? new Error('convcs: the worker was not initialised');
    return this.engine;
  }

  private op(id: number): LinearOperator {
    const op = this.ops.get(id);
    if (op) return op.op;
    throw this.opErrors.get(id) ?? new Error(`convcs: the worker has no operator ${id}`);
  }

  private lastAlive = 0;

  /** Tell the pool this worker is still at `task`, at most every ALIVE_EVERY_MS. */
  private alive(task: number): void {
    const now = performance.now();
    if (now - this.lastAlive < ALIVE_EVERY_MS) return;
    this.lastAlive = now;
    this.port.post({ type: 'alive', task });
  }

  private rip(m: Extract<ToWorker, { type: 'rip' }>): RipPartial {
    const engine = this.need();
    const { plan, op } = planRip(engine, 'rip', this.op(m.op), m.options);
    try {
      const stop = faultAt(m.fault, m.start, m.end);
      const partial = ripRange(engine, op, plan, m.start, stop, () => this.alive(m.task));
      if (stop < m.end) fail(m.fault!);
      return partial;
    } finally {
      op.release();
    }
  }

  private recover(m: Extract<ToWorker, { type: 'recover' }>): IhtResult[] {
    const engine = this.need();
    const W = this.op(m.op);
    const run = methods[m.method].run;
    const n = m.xs.length / m.count;
    const stop = faultAt(m.fault, m.first, m.first + m.count);
    const out: IhtResult[] = [];
    // every method takes onIteration: the worker's sign of life while a long run goes on
    const options = { ...m.options, onIteration: () => this.alive(m.task) };
    for (let i = 0; i < stop - m.first; i++) out.push(run(engine, W, m.xs.subarray(i * n, (i + 1) * n), options));
    if (stop < m.first + m.count) fail(m.fault!);
    return out;
  }
}

let serving = false;

/**
 * Serve a convcs worker pool from this worker: the entry of a Web Worker made for
 * cs.setWorkerFactory. Workers started by convcs itself serve without being told.
 */
export function serveWorker(): void {
  if (serving) return;
  const port = connect();
  serving = true;
  const server = new Server(port);
  // One message at a time, in order: init finishes before the first operator is built.
  let queue = Promise.resolve();
  port.listen((m) => {
    queue = queue.then(() => server.handle(m)).catch(() => {});
  });
}

/** Whether this thread is a worker that convcs started on this module (and must serve). */
function startedByConvcs(): boolean {
  const wt = workerThreads();
  if (wt) return !wt.isMainThread && (wt.workerData as Record<string, unknown> | null)?.[WORKER_MARK] === true;
  const scope = globalThis as { WorkerGlobalScope?: unknown; name?: unknown };
  return !isNodeLike() && scope.WorkerGlobalScope !== undefined && scope.name === WEB_WORKER_NAME;
}

// The one thing this module does when loaded: in a worker convcs started, serve. Anywhere else
// (every normal import of the package) the check is false and nothing happens.
if (startedByConvcs()) serveWorker();
