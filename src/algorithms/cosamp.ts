// Model-based CoSaMP (Needell & Tropp 2009; Baraniuk, Cevher, Duarte & Hegde 2010, Algorithm 1)
// with Phi = W^T:
//   z_0 = 0, r = x
//   repeat:  e = W r                              (signal proxy: one convolution layer)
//            T = supp(M(e, 2k)) ∪ supp(z)         (merge the current support)
//            b = argmin ||x - W_T^T b||, b = 0 off T   (least squares on T, least-squares.ts)
//            z = M(b, k)                          (prune to the model)
//            r = x - W^T z
// The least squares starts from the current z, whose support T contains, so the residual and
// proxy at hand are already its own and the solve costs nothing before its first step.

import type { Engine } from '../instance.js';
import { checkOptions } from '../validate.js';
import { cgls } from './least-squares.js';
import {
  commitIterate, converged, pursuitError, pursuitKeys, pursuitResult, pursuitSettings, scatterCode, setUpPursuit, tearDownPursuit, unionSupports, onIterationOf,
} from './pursuit.js';
import type { PursuitOptions, PursuitResult } from './pursuit.js';

export type CosampOptions = PursuitOptions;

export const cosampKeys = pursuitKeys;

export function cosamp(engine: Engine, W: unknown, x: Float32Array, options?: CosampOptions): PursuitResult {
  const where = 'cosamp';
  const o = checkOptions<CosampOptions>(where, options, cosampKeys);
  const st = pursuitSettings(where, o);
  const p = setUpPursuit(engine, where, W, x, o, 3);
  try {
    const { ws, op, projector, s } = p;
    const { k } = engine;
    const history: number[] = [];
    const k2 = Math.min(2 * s.k, s.bg.blocks);
    let err = p.xNorm === 0 ? 0 : 1;
    let i = 0;
    while (i < st.iterations) {
      i++;
      if (i > 1) op.forwardPtr(ws.r, ws.g); // e = W r (the first is W x, from the set-up)
      const c2 = projector.project(ws.g, k2, s.relu, ws.zTry, ws.supTry);
      const cT = unionSupports(engine, ws.sup, p.count, ws.supTry, c2, ws.T);
      k.gather(ws.z, ws.T, cT, ws.bc); // start from z: r = x - W_T^T bc and g = W r hold
      p.lsSteps += cgls(engine, op, ws.ls(), cT, st.lsIterations, st.lsTolerance);
      scatterCode(p, ws.T, ws.bc, cT, ws.b);
      const c = projector.project(ws.b, s.k, s.relu, ws.z, ws.sup);
      k.gather(ws.z, ws.sup, c, ws.val);
      commitIterate(p, ws.z, ws.sup, ws.val, c);
      const prev = err;
      err = pursuitError(p, ws.xHat);
      history.push(err);
      if (!onIterationOf(p, where, st, i, err)) break;
      if (converged(err, prev, st.tolerance)) break;
    }
    return pursuitResult(p, err, i, history);
  } finally {
    tearDownPursuit(p);
  }
}
