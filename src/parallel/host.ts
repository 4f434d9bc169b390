// Starting a worker and talking to it, whatever the runtime: Node's worker_threads (Node, Bun),
// Web Workers (browsers, Deno), or a worker the caller makes (cs.setWorkerFactory, for bundled
// apps). A worker's entry is this very module (the package's file, or its source), which starts
// serving by itself when it finds it was started as a convcs worker (see worker.ts). The module
// imports nothing at run time: Node's worker_threads comes from process.getBuiltinModule, so the
// browser build stays free of imports.

import type { FromWorker, ToWorker } from './messages.js';

/** One worker, as the pool sees it. */
export interface Endpoint {
  post(message: ToWorker, transfer?: Transferable[]): void;
  /** Messages, and the worker's death (an uncaught error, an exit, a message that cannot be read). */
  listen(onMessage: (m: FromWorker) => void, onFailure: (e: Error) => void): void;
  /** Keep the process alive while the worker has work (Node); an idle pool lets the process exit. */
  hold(busy: boolean): void;
  terminate(): Promise<void>;
}

/** The parts of a worker's events convcs reads ('message', 'error', 'messageerror'). */
export interface WorkerEventLike {
  data?: unknown;
  message?: string;
  error?: unknown;
  preventDefault?(): void;
}

/**
 * What cs.setWorkerFactory's function returns: a Web Worker, or anything shaped like one. (No DOM
 * types here, so that the declarations also compile for Node-only TypeScript projects.)
 */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: string, listener: (event: WorkerEventLike) => void): void;
  terminate(): unknown;
}

/** Makes a worker whose script imports convcs and calls serveWorker(). */
export type WorkerFactory = () => WorkerLike;

interface NodeWorker {
  postMessage(value: unknown, transfer?: readonly unknown[]): void;
  on(event: string, listener: (arg: never) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

export interface WorkerThreads {
  Worker: new (entry: URL, options: { workerData: unknown; execArgv?: string[]; name?: string }) => NodeWorker;
  isMainThread: boolean;
  workerData: unknown;
  parentPort: { on(event: 'message', listener: (m: unknown) => void): void; postMessage(m: unknown, transfer?: readonly unknown[]): void } | null;
}

interface NodeProcess {
  versions?: { node?: string };
  exit?(code: number): never;
  getBuiltinModule?(id: string): unknown;
}

/** In workerData of a Node worker started by convcs. */
export const WORKER_MARK = '__convcsWorker';
/** The name of a Web Worker started by convcs. */
export const WEB_WORKER_NAME = 'convcs-worker';

export function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

/** Node's worker_threads, where the runtime is Node or Bun (Deno gets Web Workers). */
export function isNodeLike(): boolean {
  return typeof nodeProcess()?.versions?.node === 'string' && typeof (globalThis as { Deno?: unknown }).Deno === 'undefined';
}

/** worker_threads without an import (Node 20.16+, 22.3+, Bun), or undefined. */
export function workerThreads(): WorkerThreads | undefined {
  const proc = nodeProcess();
  if (!isNodeLike() || typeof proc?.getBuiltinModule !== 'function') return undefined;
  return proc.getBuiltinModule('worker_threads') as WorkerThreads;
}

const isTypeScript = (url: string): boolean => /\.[cm]?ts$/.test(new URL(url).pathname);

/**
 * The flags a Node worker needs to load the module at `moduleUrl`. From the built package (.mjs,
 * .cjs): none. From the TypeScript sources (tests and scripts run with `node --import tsx`):
 * tsx's loader, which tsx 4 registers in the main thread only (an inherited `--import tsx` does
 * nothing in a worker on Node 20), so the worker registers it itself through tsx's API, found
 * from this module's location. Without tsx (Bun, Node's own type stripping) the worker inherits
 * the process's flags (undefined).
 */
function workerFlags(moduleUrl: string, resolve: ((s: string) => string) | undefined): string[] | undefined {
  if (!isTypeScript(moduleUrl)) return [];
  let api: string | undefined;
  try {
    api = resolve?.('tsx/esm/api');
  } catch {
    api = undefined;
  }
  if (api === undefined) return undefined;
  return ['--import', `data:text/javascript,${encodeURIComponent(`import{register}from${JSON.stringify(api)};register();`)}`];
}

function failure(message: string, cause?: unknown): Error {
  const e = new Error(message);
  if (cause !== undefined) (e as { cause?: unknown }).cause = cause;
  return e;
}

function spawnNode(wt: WorkerThreads, moduleUrl: string, resolve: ((s: string) => string) | undefined): Endpoint {
  const execArgv = workerFlags(moduleUrl, resolve);
  const worker = new wt.Worker(new URL(moduleUrl), { workerData: { [WORKER_MARK]: true }, name: 'convcs', ...(execArgv ? { execArgv } : {}) });
  let exited = false;
  return {
    post: (m, transfer) => worker.postMessage(m, transfer),
    listen(onMessage, onFailure) {
      worker.on('message', (m: FromWorker) => onMessage(m));
      worker.on('error', (e: Error) => onFailure(e));
      worker.on('messageerror', (e: Error) => onFailure(failure('convcs: a message from a worker could not be read', e)));
      worker.on('exit', (code: number) => {
        exited = true;
        onFailure(failure(`convcs: a worker thread exited (exit code ${code})`));
      });
    },
    hold: (busy) => (busy ? worker.ref() : worker.unref()),
    terminate: async () => {
      if (!exited) await worker.terminate();
    },
  };
}

function fromWorkerLike(worker: WorkerLike): Endpoint {
  return {
    post: (m, transfer) => worker.postMessage(m, transfer ?? []),
    listen(onMessage, onFailure) {
      worker.addEventListener('message', (e) => onMessage(e.data as FromWorker));
      worker.addEventListener('error', (e) => {
        e.preventDefault?.(); // handled here: the call fails with it
        onFailure(failure(`convcs: a worker failed${e.message ? `: ${e.message}` : ''}`, e.error));
      });
      worker.addEventListener('messageerror', () => onFailure(failure('convcs: a message from a worker could not be read')));
    },
    hold: () => {},
    terminate: async () => {
      await worker.terminate();
    },
  };
}

function spawnWeb(moduleUrl: string): Endpoint {
  if (typeof Worker !== 'function') {
    throw failure("convcs: this runtime has neither worker_threads nor Web Workers; run without 'workers', or give cs.setWorkerFactory()");
  }
  // A module worker on this module's own URL; it serves by itself, recognising its name. Where a
  // bundler has renamed or inlined the module that URL may not load: cs.setWorkerFactory().
  return fromWorkerLike(new Worker(moduleUrl, { type: 'module', name: WEB_WORKER_NAME }));
}

/** Start one worker serving convcs. */
export function spawn(moduleUrl: string, resolve: ((s: string) => string) | undefined, factory?: WorkerFactory): Endpoint {
  if (factory) return fromWorkerLike(factory());
  if (isNodeLike()) {
    const wt = workerThreads();
    if (!wt) throw failure("convcs: 'workers' needs process.getBuiltinModule (Node 20.16+ or 22.3+, Bun); on older Node run without 'workers'");
    return spawnNode(wt, moduleUrl, resolve);
  }
  return spawnWeb(moduleUrl);
}
