// Fuzz cases of runs whose callbacks call back into convcs.

import fc from 'fast-check';
import { randomArray } from '../helpers.js';
import { sparsityArb, sparsityFor } from './algorithms.js';
import { dataSeed, int, make, opSpec } from './arbitraries.js';
import { check, fail } from './harness.js';

// -- callbacks that call back into convcs while a run is under way

export class UserError extends Error {}

export const CALLBACK_ACTIONS = ['dispose', 'setWeights', 'randomize', 'new-operator', 're-entrant', 'project', 'throw', 'dispose-other'] as const;

export const callbackCase = fc.record({
  spec: opSpec, seed: dataSeed, s: sparsityArb, run: fc.constantFrom('iht' as const, 'rip' as const, 'sparseCode' as const),
  actions: fc.array(fc.constantFrom(...CALLBACK_ACTIONS), { minLength: 1, maxLength: 4 }), at: int(1, 3),
}).map((d) => make(`callback ${d.run}`, 'any', d, (h) => {
  const W = h.op(d.spec);
  const x = randomArray(W.inputSize, d.seed);
  const sp = sparsityFor(W, d.s);
  const run = (cb?: () => void) => d.run === 'iht'
    ? h.cs.iht(W, x, { ...sp.options, iterations: 3, tolerance: 0, ...(cb ? { onIteration: cb } : {}) } as never)
    : d.run === 'rip'
      ? h.cs.rip(W, { ...sp.options, trials: 3, seed: 1, ...(cb ? { onProgress: cb } : {}) } as never)
      : h.cs.sparseCode(W, x, { pool: (sp.options.pool ?? 'global') as never, iterations: 3, ...(cb ? { onIteration: cb } : {}) });
  let reference: unknown;
  try {
    reference = run();
  } catch {
    reference = undefined; // a sparsity this layer cannot take: the callback run is refused alike
  }
  let calls = 0;
  let threw = false;
  const callback = () => {
    if (++calls !== d.at) return;
    for (const a of d.actions) {
      try {
        if (a === 'dispose') W.dispose();
        else if (a === 'setWeights') W.setWeights(new Float32Array(W.weightShape.reduce((p, q) => p * q, 1)));
        else if (a === 'randomize') W.randomize({ seed: 99 });
        else if (a === 'new-operator') h.op(d.spec).forward(x);
        else if (a === 're-entrant') run();
        else if (a === 'project') h.cs.project(W.forward(x), { shape: W.outputShape, k: 1 });
        else if (a === 'dispose-other') h.op(d.spec).dispose();
        else {
          threw = true;
          throw new UserError('thrown by the callback');
        }
      } catch (e) {
        if (e instanceof UserError) throw e;
        // what a callback may not do is refused with convcs's TypeError, and the run goes on
        check(e instanceof TypeError && /in use by a running call/.test(e.message), `callback ${d.run}/${a}: ${String(e)}`);
      }
    }
  };
  // 'any': a layer this sparsity does not fit is refused with or without the callback (the
  // harness then checks that nothing changed); otherwise the checks below run in call()
  const verify = (res: unknown) => {
    if (res instanceof UserError) {
      check(threw, `callback ${d.run}: a UserError without a throw`);
      return;
    }
    check(!threw || calls < d.at, `callback ${d.run}: the callback threw, but the run returned`);
    if (reference === undefined) fail(`callback ${d.run}: refused without a callback, returned with one`);
    // nothing the callback did reached the run: the same bits as the run without it
    const pick = (r: unknown): ArrayLike<number> => (r as { xHat?: Float32Array }).xHat ?? (r as { forward: Float64Array }).forward;
    const [a, b] = [pick(res), pick(reference)];
    check(a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i])),
      `callback ${d.run}: the run's result changed with the callback (${d.actions.join(', ')})`);
    check(!W.disposed, `callback ${d.run}: the operator was disposed under the run`);
  };
  return {
    call: () => {
      let res: unknown;
      try {
        res = run(callback);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        res = e;
      }
      verify(res);
      return res;
    },
  };
}));
