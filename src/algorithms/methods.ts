// The recovery methods by name, for the calls that pick one at run time: cs.recoverBatch (in this
// thread or on workers, which receive the name and the options as data) and the CLI's recover.
// Each entry lists the options a batch may ship (no onIteration: a function cannot be sent) and
// checks their values the way the method itself would, so that a batch refuses bad options
// before its first input runs.

import type { Engine } from '../instance.js';
import { finiteNumber, oneOf, positiveInt, rangeError } from '../validate.js';
import { iht } from './iht.js';
import type { IhtResult } from './iht.js';
import { cosamp } from './cosamp.js';
import { htp, htpStep } from './htp.js';
import { subspacePursuit } from './subspace-pursuit.js';
import { pursuitSettings } from './pursuit.js';
import { sparsityKeys } from './sparsity.js';

export const RECOVER_METHODS = ['iht', 'cosamp', 'htp', 'subspacePursuit'] as const;

export type RecoverMethod = (typeof RECOVER_METHODS)[number];

interface MethodEntry {
  /** Options a batch ships to the method. */
  keys: readonly string[];
  /** Check their values (the keys are already known to be among `keys`). */
  check(where: string, o: Record<string, unknown>): void;
  run(engine: Engine, W: unknown, x: Float32Array, options: Record<string, unknown>): IhtResult;
}

const pursuitShipped = [...sparsityKeys, 'iterations', 'tolerance', 'lsIterations', 'lsTolerance'] as const;

export const methods: Record<RecoverMethod, MethodEntry> = {
  iht: {
    keys: [...sparsityKeys, 'iterations', 'tolerance', 'step'],
    check(where, o) {
      if (o.iterations !== undefined) positiveInt(where, 'iterations', o.iterations, 1e7);
      if (o.tolerance !== undefined) {
        const t = finiteNumber(where, 'tolerance', o.tolerance);
        if (t < 0) throw rangeError(where, `'tolerance' must be >= 0, got ${t}`);
      }
      if (o.step !== undefined) oneOf(where, 'step', o.step, ['unit', 'normalized'] as const);
    },
    run: (engine, W, x, o) => iht(engine, W, x, o),
  },
  cosamp: {
    keys: pursuitShipped,
    check: (where, o) => void pursuitSettings(where, o),
    run: (engine, W, x, o) => cosamp(engine, W, x, o),
  },
  htp: {
    keys: [...pursuitShipped, 'step'],
    check(where, o) {
      pursuitSettings(where, o);
      htpStep(where, o.step);
    },
    run: (engine, W, x, o) => htp(engine, W, x, o),
  },
  subspacePursuit: {
    keys: pursuitShipped,
    check: (where, o) => void pursuitSettings(where, o),
    run: (engine, W, x, o) => subspacePursuit(engine, W, x, o),
  },
};
