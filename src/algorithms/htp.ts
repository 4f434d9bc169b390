// Model-based Hard Thresholding Pursuit (Foucart 2011) with Phi = W^T: an IHT step chooses the
// support, least squares on it chooses the values.
//   z_0 = 0
//   repeat:  S = supp(M(z + mu W (x - W^T z), k))
//            z = argmin ||x - W_S^T b||, b = 0 off S
//   until S no longer changes (Foucart's stopping rule), or as IHT stops.
// step 'unit' is mu = 1; 'normalized' (NHTP) is mu = ||g_S||^2 / ||W^T g_S||^2, the exact line
// search along g restricted to S = supp(M(g, k)), without NIHT's backtracking: the least squares
// fixes the values whatever the step. Foucart measures it on the current support instead, but
// after a least-squares fit g vanishes there (the residual is orthogonal to those columns), so
// that ratio is 0/0 up to rounding; M(g, k) is where the next support is sought. The solve
// starts from the previous iterate restricted to S.

import type { Engine } from '../instance.js';
import { checkOptions, oneOf } from '../validate.js';
import { cgls } from './least-squares.js';
import {
  commitIterate, converged, isSubset, pursuitError, pursuitKeys, pursuitResult, pursuitSettings, sameSupport, scatterCode, setUpPursuit,
  tearDownPursuit, onIterationOf,
} from './pursuit.js';
import type { Pursuit, PursuitOptions, PursuitResult } from './pursuit.js';

export interface HtpOptions extends PursuitOptions {
  /**
   * 'unit' (mu = 1, Foucart's HTP, default) or 'normalized' (NHTP, whose ranking does not depend
   * on the scale of W). The least squares sets the values, so the step only ranks the candidates,
   * and unlike IHT's the unit step cannot make the run diverge.
   */
  step?: 'unit' | 'normalized';
}

export const htpKeys = [...pursuitKeys, 'step'] as const;

export function htpStep(where: string, step: unknown): 'unit' | 'normalized' {
  return step === undefined ? 'unit' : oneOf(where, 'step', step, ['unit', 'normalized'] as const);
}

export function htp(engine: Engine, W: unknown, x: Float32Array, options?: HtpOptions): PursuitResult {
  const where = 'htp';
  const o = checkOptions<HtpOptions>(where, options, htpKeys);
  const st = pursuitSettings(where, o);
  const step = htpStep(where, o.step);
  const p = setUpPursuit(engine, where, W, x, o, 1);
  try {
    const { ws, op, projector, s } = p;
    const { k } = engine;
    const n = op.inputSize;
    const m = op.outputSize;
    const history: number[] = [];
    let err = p.xNorm === 0 ? 0 : 1;
    let i = 0;
    while (i < st.iterations) {
      i++;
      if (i > 1) op.forwardPtr(ws.r, ws.g); // g = W r (the first is W x, from the set-up)
      const mu = step === 'unit' ? 1 : normalizedStep(p);
      k.copy(ws.b, ws.z, m * 4);
      k.axpy(Math.fround(mu), ws.g, ws.b, m); // b = z + mu g
      const cS = projector.project(ws.b, s.k, s.relu, ws.zTry, ws.T);
      const unchanged = i > 1 && cS === p.count && sameSupport(engine, ws.T, ws.sup, cS);
      k.gather(ws.z, ws.T, cS, ws.bc); // start from z restricted to S
      if (!isSubset(engine, ws.sup, p.count, ws.T, cS)) {
        // z had entries off S: the residual and proxy at hand are not those of the start
        op.transposeSparsePtr(ws.T, ws.bc, cS, ws.q);
        k.sub(ws.x, ws.q, ws.r, n);
        op.forwardPtr(ws.r, ws.g);
      }
      p.lsSteps += cgls(engine, op, ws.ls(), cS, st.lsIterations, st.lsTolerance);
      scatterCode(p, ws.T, ws.bc, cS, ws.z);
      commitIterate(p, ws.z, ws.T, ws.bc, cS);
      const prev = err;
      err = pursuitError(p, ws.xHat);
      history.push(err);
      if (!onIterationOf(p, where, st, i, err)) break;
      if (unchanged || converged(err, prev, st.tolerance)) break;
    }
    return pursuitResult(p, err, i, history);
  } finally {
    tearDownPursuit(p);
  }
}

/** mu = ||g_S||^2 / ||W^T g_S||^2 with S = supp(M(g, k)). */
function normalizedStep(p: Pursuit): number {
  const { ws, op, engine, s } = p;
  const { k } = engine;
  const c = p.projector.project(ws.g, s.k, s.relu, ws.zTry, ws.supTry);
  k.gather(ws.g, ws.supTry, c, ws.valTry);
  const gS = k.sumsq(ws.valTry, c);
  op.transposeSparsePtr(ws.supTry, ws.valTry, c, ws.xTry);
  const WgS = k.sumsq(ws.xTry, op.inputSize);
  return gS > 0 && WgS > 0 ? gS / WgS : 1;
}
