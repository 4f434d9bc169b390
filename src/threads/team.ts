// The calling side of a team: T - 1 threads started once per instance, each a convcs worker with
// its own instance of the module on the shared memory, and the calling thread as thread 0. A job
// (a list of kernel calls) wakes them with Atomics.notify; every thread claims calls until none
// is left; the caller waits for the last one (Atomics.wait where the runtime allows it on the
// calling thread, a spin on a browser page's main thread, where only a few calls' time remains).
// Between jobs the threads sleep, and they never keep a Node process alive.
//
// A call that throws in a thread fails the job with its message once every call is accounted for;
// the team stays usable. A thread that stops (it exited, or no call finished for STALL_MS) fails
// the job it was in, and the instance goes on with the calling thread alone (same bits).

import { spawn, type Endpoint } from '../parallel/host.js';
import { workerEntryUrl, resolveFromWorkerModule } from '../parallel/worker.js';
import { CALLABLE, CALL_SLOTS, CONTROL_BYTES, MAX_ARGS, MAX_CALLS, MESSAGE_BYTES, MESSAGE_OFFSET, Slot, TABLE_OFFSET, claimWord, type ThreadInit } from './protocol.js';
import { runCalls } from './thread.js';

type Fn = (...args: number[]) => unknown;

/** How long a job may go without any call finishing before its threads count as stopped. */
const STALL_MS = 10_000;
/** How long a thread may take to start (a worker that loads but never answers would hang load()). */
const START_MS = 30_000;

const callIndex = new Map(CALLABLE.map((name, i) => [name, i]));

/** Whether Atomics.wait may block this thread (not on a browser page's main thread). */
function callerMayWait(ctl: Int32Array): boolean {
  try {
    Atomics.wait(ctl, Slot.Stop, 1, 0); // Stop is 0: returns 'not-equal' at once where allowed
    return true;
  } catch {
    return false;
  }
}

export class ThreadTeam {
  private readonly ctl: Int32Array;
  private readonly table: Float64Array;
  private readonly message: Uint8Array;
  private readonly mayWait: boolean;
  private readonly endpoints: Endpoint[] = [];
  /** Why the team stopped (undefined while it runs). */
  stopped: string | undefined;
  /** Test hook: how long a job may go without progress (STALL_MS). */
  stallMs = STALL_MS;

  private constructor(readonly size: number, private readonly fns: ReadonlyArray<Fn | undefined>) {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.ctl = new Int32Array(control, 0, TABLE_OFFSET >> 2);
    this.table = new Float64Array(control, TABLE_OFFSET);
    this.message = new Uint8Array(control, MESSAGE_OFFSET, MESSAGE_BYTES);
    this.mayWait = callerMayWait(this.ctl);
  }

  get control(): SharedArrayBuffer {
    return this.ctl.buffer as SharedArrayBuffer;
  }

  /**
   * Start `size - 1` threads on `memory` (shared), each instantiating `module` with its scratch
   * at scratch[i - 1]. Resolves once every thread is asleep and ready; rejects (after stopping
   * the ones that started) if any cannot start.
   */
  static async start(size: number, module: WebAssembly.Module, memory: WebAssembly.Memory, exports: Record<string, unknown>,
    scratch: readonly number[]): Promise<ThreadTeam> {
    const team = new ThreadTeam(size, CALLABLE.map((name) => exports[name] as Fn | undefined));
    try {
      await Promise.all(Array.from({ length: size - 1 }, (_, j) => team.startThread(j + 1, module, memory, scratch[j]!)));
    } catch (e) {
      team.close();
      throw e;
    }
    return team;
  }

  private startThread(index: number, module: WebAssembly.Module, memory: WebAssembly.Memory, scratch: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ep = spawn(workerEntryUrl(), resolveFromWorkerModule);
      this.endpoints.push(ep);
      let ready = false;
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`convcs.load: thread ${index} could not start: ${why}`));
      };
      const timer = setTimeout(() => fail(`it did not answer within ${START_MS / 1000} s`), START_MS);
      ep.listen((m) => {
        if (m.type === 'thread-ready') {
          ready = true;
          clearTimeout(timer);
          ep.hold(false); // asleep in Atomics.wait: nothing to keep a process alive for
          resolve();
        } else if (m.type === 'fatal') {
          fail(m.error.message);
        }
      }, (e) => {
        if (!ready) fail(e.message);
        else this.stop(`thread ${index} stopped (${e.message})`);
      });
      const init: ThreadInit = { type: 'thread', index, module, memory, control: this.control, scratch };
      ep.post(init as never);
    });
  }

  /**
   * Run every call (name, arguments) of one job across the team and return when all are done.
   * Throws, after all of them are accounted for, if any threw; throws if a thread stops meanwhile
   * (join). Engine.parallel calls it only while the team runs.
   */
  run(where: string, name: string, calls: ReadonlyArray<readonly number[]>): void {
    const fn = callIndex.get(name);
    if (fn === undefined) throw new Error(`convcs: no callable named ${name}`);
    if (calls.length > MAX_CALLS) throw new Error(`convcs: a job of ${calls.length} calls (at most ${MAX_CALLS})`);
    const { ctl, table } = this;
    for (let i = 0; i < calls.length; i++) {
      const args = calls[i]!;
      if (args.length > MAX_ARGS) throw new Error(`convcs: ${name} with ${args.length} arguments (at most ${MAX_ARGS})`);
      const base = i * CALL_SLOTS;
      table[base] = fn;
      table[base + 1] = args.length;
      for (let a = 0; a < args.length; a++) table[base + 2 + a] = args[a]!;
    }
    // Everything a thread reads for the job is written before Next publishes the job's tag.
    const generation = (Atomics.load(ctl, Slot.Generation) + 1) | 0;
    Atomics.store(ctl, Slot.Count, calls.length);
    Atomics.store(ctl, Slot.Done, 0);
    Atomics.store(ctl, Slot.Failed, 0);
    Atomics.store(ctl, Slot.Next, claimWord(generation, 0));
    Atomics.store(ctl, Slot.Generation, generation);
    Atomics.notify(ctl, Slot.Generation);
    runCalls(ctl, table, this.message, this.fns, 0, generation);
    this.join(where, calls.length);
    const failed = Atomics.load(ctl, Slot.Failed);
    if (failed !== 0) {
      const bytes = this.message.slice(0, Atomics.load(ctl, Slot.MessageBytes));
      throw new Error(`convcs.${where}: a call failed in a thread (${new TextDecoder().decode(bytes)}); the instance is unchanged and usable`);
    }
  }

  /** Wait until the job's `count` calls are done, or declare the team stopped. */
  private join(where: string, count: number): void {
    const { ctl } = this;
    let done = Atomics.load(ctl, Slot.Done);
    let progress = performance.now();
    while (done < count) {
      if (this.mayWait) Atomics.wait(ctl, Slot.Done, done, 50);
      const now = Atomics.load(ctl, Slot.Done);
      const t = performance.now();
      if (now !== done) {
        done = now;
        progress = t;
      } else if (t - progress > this.stallMs) {
        const why = `no call finished for ${Math.round(t - progress)} ms: a thread stopped`;
        this.stop(why);
        throw new Error(`convcs.${where}: ${why}; the call failed, and this instance now runs on one thread (cs.threads is 1)`);
      }
    }
  }

  /** Stop every thread: they leave their loop, and their workers end. */
  stop(why: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = why;
    Atomics.store(this.ctl, Slot.Stop, 1);
    Atomics.add(this.ctl, Slot.Generation, 1);
    Atomics.notify(this.ctl, Slot.Generation);
    for (const ep of this.endpoints) void ep.terminate().catch(() => {});
  }

  close(): void {
    this.stop('closed');
  }

  /** Test hook: thread `index` fails at its next call ('throw' in the call, or 'exit' the thread). */
  injectFault(index: number, mode: 'throw' | 'exit'): void {
    Atomics.store(this.ctl, Slot.FaultMode, mode === 'exit' ? 2 : 1);
    Atomics.store(this.ctl, Slot.FaultThread, index + 1);
  }
}
