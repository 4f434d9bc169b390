// One thread of a team (the worker side): its own instance of the module on the team's shared
// memory, asleep in Atomics.wait between jobs, claiming calls until a job has none left. It runs
// inside a convcs worker (src/parallel/worker.ts hands it the 'thread' message) and never returns
// to that worker's event loop until the team stops.

import { CALLABLE, CALL_SLOTS, INDEX_MASK, MESSAGE_BYTES, MESSAGE_OFFSET, Slot, TABLE_OFFSET, claimWord, type ThreadInit } from './protocol.js';
import { fail } from '../parallel/testing.js';

type Fn = (...args: number[]) => unknown;

export async function startThread(init: ThreadInit): Promise<() => void> {
  const instance = await WebAssembly.instantiate(init.module, { env: { memory: init.memory } });
  const exports = instance.exports as Record<string, unknown>;
  (exports.setInstanceScratch as Fn)(init.scratch);
  const fns: Array<Fn | undefined> = CALLABLE.map((name) => exports[name] as Fn | undefined);
  const ctl = new Int32Array(init.control, 0, TABLE_OFFSET >> 2);
  const table = new Float64Array(init.control, TABLE_OFFSET);
  const message = new Uint8Array(init.control, MESSAGE_OFFSET, MESSAGE_BYTES);
  // The loop, run once the worker has said it is ready.
  return () => {
    let seen = Atomics.load(ctl, Slot.Generation);
    for (;;) {
      Atomics.wait(ctl, Slot.Generation, seen);
      if (Atomics.load(ctl, Slot.Stop) !== 0) return;
      const generation = Atomics.load(ctl, Slot.Generation);
      if (generation === seen) continue;
      seen = generation;
      runCalls(ctl, table, message, fns, init.index, generation);
    }
  };
}

/**
 * Claim and run calls of job `generation` until none is left. The calling thread runs this too
 * (index 0). A call that throws is recorded (the first one's message kept) and counted as done,
 * so the job always ends.
 *
 * A claim is a compare-and-swap on Next, which holds the job's tag beside the next index
 * (claimWord): a thread still finishing its last claim attempt of a job when the next job is
 * published sees another tag and stops, rather than taking an index of the new job that is
 * handed out again.
 */
export function runCalls(ctl: Int32Array, table: Float64Array, message: Uint8Array, fns: ReadonlyArray<Fn | undefined>, index: number,
  generation: number): void {
  const tag = claimWord(generation, 0);
  for (;;) {
    const word = Atomics.load(ctl, Slot.Next);
    if ((word & ~INDEX_MASK) !== tag) return;
    const i = word & INDEX_MASK;
    const count = Atomics.load(ctl, Slot.Count);
    if (i >= count) return;
    if (Atomics.compareExchange(ctl, Slot.Next, word, word + 1) !== word) continue;
    try {
      if (index > 0 && Atomics.load(ctl, Slot.FaultThread) === index + 1) {
        Atomics.store(ctl, Slot.FaultThread, 0);
        fail({ at: i, mode: Atomics.load(ctl, Slot.FaultMode) === 2 ? 'exit' : 'throw' });
      }
      const base = i * CALL_SLOTS;
      const fn = fns[table[base]!];
      if (fn === undefined) throw new Error(`convcs: this module has no function ${CALLABLE[table[base]!]}`);
      const argc = table[base + 1]!;
      const args: number[] = new Array(argc);
      for (let a = 0; a < argc; a++) args[a] = table[base + 2 + a]!;
      fn(...args);
    } catch (e) {
      if (Atomics.compareExchange(ctl, Slot.Failed, 0, i + 1) === 0) {
        const text = new TextEncoder().encode(`thread ${index}: ${e instanceof Error ? e.message : String(e)}`).subarray(0, MESSAGE_BYTES);
        message.set(text);
        Atomics.store(ctl, Slot.MessageBytes, text.length);
      }
    }
    if (Atomics.add(ctl, Slot.Done, 1) + 1 === count) Atomics.notify(ctl, Slot.Done);
  }
}
