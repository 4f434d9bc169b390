// Watching IHT's iterate: cs.iht reports (iteration, error) to onIteration but not the
// reconstruction, and the web demo draws the reconstruction after every iteration. This wraps a
// layer in a plain LinearOperator whose transpose goes through W.transposeSparse on the code's
// non-zeros, the same kernel, indices and order that iht's own sparse path uses, so the run is
// bit-for-bit the run of cs.iht(W, ...) (web/tests/web-demo.test.ts checks this). The last transpose
// before onIteration is the accepted iterate W^T z, which latest() returns.

import type { ConvOperator, LinearOperator } from 'convcs';

export interface ObservedOperator {
  /** Pass this to cs.iht instead of W. */
  op: LinearOperator;
  /** W^T z of the most recent transpose (the current reconstruction inside onIteration). */
  latest(): Float32Array | null;
}

export function observeTranspose(W: ConvOperator): ObservedOperator {
  let last: Float32Array | null = null;
  let idx = new Int32Array(0);
  let val = new Float32Array(0);
  const op: LinearOperator = {
    inputShape: W.inputShape,
    outputShape: W.outputShape,
    inputSize: W.inputSize,
    outputSize: W.outputSize,
    forward: (x, out) => W.forward(x, out),
    transpose(z, out) {
      let n = 0;
      for (let i = 0; i < z.length; i++) if (z[i] !== 0) n++;
      if (idx.length < n) {
        idx = new Int32Array(n);
        val = new Float32Array(n);
      }
      n = 0;
      for (let i = 0; i < z.length; i++) {
        if (z[i] !== 0) {
          idx[n] = i;
          val[n++] = z[i]!;
        }
      }
      last = W.transposeSparse(idx.subarray(0, n), val.subarray(0, n), out);
      return last;
    },
  };
  return { op, latest: () => last };
}
