// The fuzz suite: every generator (one file per API area in this folder) and the one property they
// share; tests/fuzz.test.ts runs it briefly in `npm test`, scripts/fuzz.ts (`npm run fuzz`) for long.
//
// Every generated case is one call of the public API, valid or with one adversarial argument:
// a wrong length, NaN or Infinity in the data, a negative, fractional or huge size, k or density
// out of range, a value of the wrong type (string, null, object, BigInt, plain array,
// Float64Array...), a disposed operator, an unknown option, an output array aliasing the input,
// or sizes past the memory cap. A valid call must return the right result (checked against a
// plain-JS reference or an exact relation between public calls); a bad one must throw a
// TypeError or RangeError from convcs, never a wasm trap or another error. A refused call must
// leave the instance exactly as it was: the same bytes of linear memory in use, no growth, and a
// fixed reference computation giving the same bits. tests/fuzz.test.ts runs these properties with
// a short budget in `npm test`.
//

import fc from 'fast-check';
import { creluCase, histogramCase, ihtCase, reconstructCase, ripCase, stackCase } from './algorithms.js';
import { callbackCase } from './callbacks.js';
import { chaosCase } from './chaos.js';
import { Harness } from './harness.js';
import type { Case } from './harness.js';

export { Harness, FUZZ_MEMORY_CAP } from './harness.js';
import { ctorCase, denseCase, randomizeCase, setWeightsCase, sparseCase } from './operators.js';
import { maxPoolCase, projectCase, sampleCase, unpoolCase } from './projection.js';
import { randomCase } from './random.js';
import { weightsFileCase } from './weights.js';

/** Every generator, with how often each runs. */
export function cases(): fc.Arbitrary<Case> {
  return fc.oneof(
    { arbitrary: weightsFileCase, weight: 3 },
    { arbitrary: callbackCase, weight: 2 },
    { arbitrary: ctorCase, weight: 3 },
    { arbitrary: denseCase('forward'), weight: 3 },
    { arbitrary: denseCase('transpose'), weight: 3 },
    { arbitrary: sparseCase, weight: 3 },
    { arbitrary: setWeightsCase, weight: 2 },
    { arbitrary: randomizeCase, weight: 2 },
    { arbitrary: projectCase, weight: 3 },
    { arbitrary: maxPoolCase, weight: 2 },
    { arbitrary: unpoolCase, weight: 2 },
    { arbitrary: sampleCase, weight: 2 },
    { arbitrary: randomCase('randn'), weight: 2 },
    { arbitrary: randomCase('rand'), weight: 2 },
    { arbitrary: reconstructCase, weight: 2 },
    { arbitrary: ihtCase, weight: 2 },
    { arbitrary: ripCase, weight: 2 },
    { arbitrary: histogramCase, weight: 2 },
    { arbitrary: creluCase, weight: 2 },
    { arbitrary: stackCase, weight: 2 },
    { arbitrary: chaosCase, weight: 3 },
  );
}

/** Run `runs` cases (or until `seconds` pass) on one instance; throws fast-check's report on failure. */
export function fuzz(h: Harness, options: { runs: number; seconds?: number; seed?: number }): void {
  fc.assert(fc.property(cases(), (c) => h.run(c)), {
    numRuns: options.runs,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.seconds !== undefined ? { plugins: [fc.interruptAfterTimeLimit(options.seconds * 1000)] } : {}),
  });
}
