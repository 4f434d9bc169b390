// Model-based Subspace Pursuit (Dai & Milenkovic 2009) with Phi = W^T:
//   z_0 = 0, r = x
//   repeat:  T = supp(M(W r, k)) ∪ supp(z)       (k new candidates, where CoSaMP takes 2k)
//            b = argmin ||x - W_T^T b||, b = 0 off T
//            S = supp(M(b, k))
//            z' = argmin ||x - W_S^T c||, c = 0 off S   (CoSaMP keeps b on S instead)
//            if ||x - W^T z'|| >= ||x - W^T z||: stop, keeping z   (Dai & Milenkovic's rule;
//                                                   S = supp(z) counts as no decrease)
//            z = z', r = x - W^T z
// The first iteration from z = 0 is SP's initialization (least squares on supp(M(W x, k))).
// The second solve starts from b on S; when S = T it is already solved and is skipped.

import type { Engine } from '../instance.js';
import { checkOptions } from '../validate.js';
import { cgls } from './least-squares.js';
import {
  commitIterate, converged, pursuitError, pursuitKeys, pursuitResult, pursuitSettings, sameSupport, scatterCode, setUpPursuit, tearDownPursuit,
  unionSupports, onIterationOf,
} from './pursuit.js';
import type { PursuitOptions, PursuitResult } from './pursuit.js';

export type SubspacePursuitOptions = PursuitOptions;

export const subspacePursuitKeys = pursuitKeys;

export function subspacePursuit(engine: Engine, W: unknown, x: Float32Array, options?: SubspacePursuitOptions): PursuitResult {
  const where = 'subspacePursuit';
  const o = checkOptions<SubspacePursuitOptions>(where, options, subspacePursuitKeys);
  const st = pursuitSettings(where, o);
  const p = setUpPursuit(engine, where, W, x, o, 2);
  try {
    const { ws, op, projector, s } = p;
    const { k } = engine;
    const n = op.inputSize;
    const history: number[] = [];
    let err = p.xNorm === 0 ? 0 : 1;
    let i = 0;
    while (i < st.iterations) {
      if (i > 0) op.forwardPtr(ws.r, ws.g); // W r (the first is W x, from the set-up)
      const c1 = projector.project(ws.g, s.k, s.relu, ws.zTry, ws.supTry);
      const cT = unionSupports(engine, ws.sup, p.count, ws.supTry, c1, ws.T);
      k.gather(ws.z, ws.T, cT, ws.bc); // start from z: r = x - W_T^T bc and g = W r hold
      p.lsSteps += cgls(engine, op, ws.ls(), cT, st.lsIterations, st.lsTolerance);
      scatterCode(p, ws.T, ws.bc, cT, ws.b);
      const cS = projector.project(ws.b, s.k, s.relu, ws.zTry, ws.supTry);
      // The same support again gives z back (in exact arithmetic): stop, as on a residual that
      // does not fall. Tested on the support, rounding cannot keep a finished run going.
      if (i > 0 && cS === p.count && sameSupport(engine, ws.supTry, ws.sup, cS)) break;
      if (!(cS === cT && sameSupport(engine, ws.supTry, ws.T, cS))) {
        // least squares again on S, from b restricted to S
        k.copy(ws.T, ws.supTry, cS * 4);
        k.gather(ws.b, ws.T, cS, ws.bc);
        op.transposeSparsePtr(ws.T, ws.bc, cS, ws.q);
        k.sub(ws.x, ws.q, ws.r, n);
        op.forwardPtr(ws.r, ws.g);
        p.lsSteps += cgls(engine, op, ws.ls(), cS, st.lsIterations, st.lsTolerance);
      }
      // the candidate z' on S = T, with its synthesis in xTry
      op.transposeSparsePtr(ws.T, ws.bc, cS, ws.xTry);
      const errTry = pursuitError(p, ws.xTry);
      if (i > 0 && errTry >= err) break; // no better than z: keep z and stop
      i++;
      scatterCode(p, ws.T, ws.bc, cS, ws.z);
      commitIterate(p, ws.z, ws.T, ws.bc, cS, ws.xTry);
      const prev = err;
      err = errTry;
      history.push(err);
      if (!onIterationOf(p, where, st, i, err)) break;
      if (converged(err, prev, st.tolerance)) break;
    }
    return pursuitResult(p, err, i, history);
  } finally {
    tearDownPursuit(p);
  }
}
