// A pool of convcs workers per instance: started on first use, each with its own wasm instance
// (same backend and memory cap as the caller's), reused across calls, and idle workers do not
// keep a Node process alive. A call ships its operator once per worker, hands out tasks one at a
// time to whichever worker is free, and either gets every result or fails as a whole with the
// first error, after its tasks in flight have settled. A worker that dies is replaced next time.

import type { Engine } from '../instance.js';
import { spawn } from './host.js';
import type { Endpoint, WorkerFactory } from './host.js';
import { deserializeError } from './messages.js';
import type { FromWorker, OperatorSpec, ToWorker } from './messages.js';
import { workerEntryUrl, resolveFromWorkerModule } from './worker.js';

type Result = Extract<FromWorker, { type: 'result' }>;

class Slot {
  readonly ready: Promise<Endpoint>;
  dead = false;
  private endpoint: Endpoint | undefined;
  private readonly pending = new Map<number, { resolve(r: Result): void; reject(e: Error): void; timeoutMs: number }>();
  /** When the worker last said anything (or was last given a task). */
  private heard = 0;
  private watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(engine: Engine, readonly index: number, factory: WorkerFactory | undefined) {
    // A promise, so that a failure to start arrives like any other failure of the worker.
    this.ready = new Promise<Endpoint>((resolve) => resolve(spawn(workerEntryUrl(), resolveFromWorkerModule, factory))).then((ep) => {
      this.endpoint = ep;
      ep.listen((m) => this.receive(m), (e) => this.fail(e));
      ep.post({ type: 'init', backend: engine.backend, maxMemoryBytes: engine.maxMemoryBytes });
      ep.hold(this.pending.size > 0);
      return ep;
    });
    this.ready.catch(() => { this.dead = true; });
  }

  /** Post a message that needs no answer (operators in and out). */
  post(m: ToWorker): void {
    void this.ready.then((ep) => { if (!this.dead) ep.post(m); }, () => {});
  }

  /** Post a task and wait for its result; a worker silent for timeoutMs meanwhile fails it. */
  call(m: ToWorker & { task: number }, transfer: Transferable[] | undefined, timeoutMs: number): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.ready.then((ep) => {
        if (this.dead) {
          reject(new Error(`convcs: worker ${this.index} is no longer running`));
          return;
        }
        this.pending.set(m.task, { resolve, reject, timeoutMs });
        this.heard = performance.now();
        this.watch();
        ep.hold(true);
        ep.post(m, transfer);
      }, reject);
    });
  }

  /**
   * While tasks are out, check now and then that the worker still speaks: a Web Worker killed by
   * its page, or a worker stuck for good, sends no event at all, and its call would never settle.
   * The timer runs only while tasks are out (it keeps a Node process alive just as long as the
   * call being awaited, no longer).
   */
  private watch(): void {
    if (this.watchdog !== undefined) return;
    const limit = () => Math.min(...Array.from(this.pending.values(), (p) => p.timeoutMs));
    this.watchdog = setInterval(() => {
      if (this.pending.size === 0) {
        this.stopWatching();
        return;
      }
      const silent = performance.now() - this.heard;
      if (silent > limit()) {
        this.fail(new Error(`convcs: worker ${this.index} said nothing for ${Math.round(silent)} ms while running a task ` +
          `(workerTimeout ${limit()} ms): it was stopped, and the call fails; the pool starts a new worker next time`));
      }
    }, Math.max(10, Math.min(1000, limit() / 4)));
  }

  private stopWatching(): void {
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private receive(m: FromWorker): void {
    this.heard = performance.now();
    if (m.type === 'alive' || m.type === 'thread-ready') return;
    if (m.type === 'fatal') {
      this.fail(deserializeError(m.error, `convcs worker ${this.index} (starting)`));
      return;
    }
    const p = this.pending.get(m.task);
    if (!p) return;
    this.pending.delete(m.task);
    if (this.pending.size === 0) {
      this.endpoint?.hold(false);
      this.stopWatching();
    }
    if (m.type === 'result') p.resolve(m);
    else p.reject(deserializeError(m.error, `convcs worker ${this.index}`));
  }

  /** The worker is gone (or unusable): fail what it had, and stop it. */
  fail(e: Error): void {
    if (this.dead) return;
    this.dead = true;
    this.stopWatching();
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    void this.endpoint?.terminate().catch(() => {});
  }
}

/** One task of a call: its message (with its transfer list), made once the ids are known. */
export type TaskMaker = (op: number, task: number) => { message: ToWorker & { task: number }; transfer?: Transferable[] };

export class WorkerPool {
  private slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly engine: Engine, private readonly factory: WorkerFactory | undefined) {}

  /** The number of workers started and still running. */
  get size(): number {
    return this.slots.filter((s) => s && !s.dead).length;
  }

  private slot(i: number): Slot {
    const s = this.slots[i];
    if (s && !s.dead) return s;
    return (this.slots[i] = new Slot(this.engine, i, this.factory));
  }

  /**
   * Run every task on up to `workers` workers, `onResult` as each one completes (in any order).
   * Rejects with the first error (a worker's own, or from onResult) once no task of this call is
   * still running; the pool stays usable.
   */
  async run(
    workers: number, spec: OperatorSpec, tasks: readonly TaskMaker[], onResult: (i: number, r: Result) => void, timeoutMs: number,
  ): Promise<void> {
    if (this.closed) throw new Error('convcs: the worker pool was closed (cs.closeWorkers())');
    const op = this.nextId++;
    const width = Math.min(workers, tasks.length);
    const slots = Array.from({ length: width }, (_, i) => this.slot(i));
    for (const s of slots) s.post({ type: 'op', id: op, spec });
    let next = 0;
    let failure: unknown;
    let failed = false;
    await Promise.all(slots.map(async (slot) => {
      while (!failed && next < tasks.length) {
        const i = next++;
        try {
          const { message, transfer } = tasks[i]!(op, this.nextId++);
          onResult(i, await slot.call(message, transfer, timeoutMs));
        } catch (e) {
          if (!failed) {
            failed = true;
            failure = e;
          }
        }
      }
    }));
    for (const s of slots) s.post({ type: 'drop', id: op });
    if (failed) throw failure;
  }

  /** Stop every worker; tasks still running fail. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map(async (s) => {
      try {
        const ep = await s.ready;
        s.fail(new Error('convcs: the worker pool was closed (cs.closeWorkers())'));
        await ep.terminate();
      } catch {
        // a worker that never started has nothing to stop
      }
    }));
  }
}

const pools = new WeakMap<Engine, WorkerPool>();
const factories = new WeakMap<Engine, WorkerFactory>();

/** The instance's pool, started on first use. */
export function poolFor(engine: Engine): WorkerPool {
  let p = pools.get(engine);
  if (!p) pools.set(engine, (p = new WorkerPool(engine, factories.get(engine))));
  return p;
}

/** Stop the instance's workers (a later call with `workers` starts a new pool). */
export async function closePool(engine: Engine): Promise<void> {
  const p = pools.get(engine);
  pools.delete(engine);
  await p?.close();
}

/** Use `factory` for this instance's workers from now on (undefined: the built-in way). */
export function setWorkerFactory(engine: Engine, factory: WorkerFactory | undefined): Promise<void> {
  if (factory === undefined) factories.delete(engine);
  else factories.set(engine, factory);
  return closePool(engine);
}
