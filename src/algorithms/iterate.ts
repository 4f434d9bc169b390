// What onIteration sees of the run besides the error: the current iterate, read from linear
// memory only if the callback asks (a copy per read), and only while the callback runs (after it
// returns the buffers hold the next iterate, so a kept view refuses to be read).

import type { Engine } from '../instance.js';

/** The current iterate of a recovery run, as onIteration receives it. */
export interface Iterate {
  /** The code z, dense (outputSize values): a copy made when read. */
  readonly z: Float32Array;
  /** Its reconstruction W^T z (inputSize values): a copy made when read. */
  readonly xHat: Float32Array;
}

export type OnIteration = (iteration: number, relativeError: number, iterate: Iterate) => void | boolean;

/** Call `onIteration` with a view of (z, xHat) valid for this call only; returns what it returned. */
export function reportIteration(
  engine: Engine, where: string, onIteration: OnIteration, i: number, err: number,
  z: number, m: number, xHat: number, n: number,
): void | boolean {
  let open = true;
  const read = (ptr: number, length: number): Float32Array => {
    if (!open) throw new TypeError(`convcs.${where}: the iterate given to onIteration can only be read during that call`);
    return engine.f32(ptr, length).slice();
  };
  const iterate: Iterate = {
    get z() {
      return read(z, m);
    },
    get xHat() {
      return read(xHat, n);
    },
  };
  try {
    return onIteration(i, err, iterate);
  } finally {
    open = false;
  }
}
