// The dense-matrix reference of the pursuits (tests/pursuits.test.ts): plain JavaScript in f64, the
// matrix of W built column by column from transpose, least squares by a Cholesky solve. Written
// from the papers (Needell & Tropp; Foucart; Dai & Milenkovic; Baraniuk et al. for the model),
// independently of src/.
import { dot64, norm64, blockOf } from './helpers.js';
import type { Geo } from './helpers.js';

/** A dense W (rows = code entries, columns = input entries), row-major, f64. */
export interface Dense { A: Float64Array; m: number; n: number }

/** W x */
export function fwd(D: Dense, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(D.m);
  for (let r = 0; r < D.m; r++) {
    let s = 0;
    for (let c = 0; c < D.n; c++) s += D.A[r * D.n + c]! * x[c]!;
    y[r] = s;
  }
  return y;
}

/** W^T z */
export function adj(D: Dense, z: ArrayLike<number>): Float64Array {
  const y = new Float64Array(D.n);
  for (let r = 0; r < D.m; r++) {
    const v = z[r]!;
    if (v === 0) continue;
    for (let c = 0; c < D.n; c++) y[c] = y[c]! + D.A[r * D.n + c]! * v;
  }
  return y;
}

/** M(h, k) by scanning: the winner of each block, then the k strongest blocks (ties: lowest index); its support, ascending. */
export function modelProject(h: Float32Array, g: Geo, k: number, relu: boolean): { z: Float32Array; support: number[] } {
  const B = g.K * Math.ceil(g.Ho / g.ph) * Math.ceil(g.Wo / g.pw);
  const best: Array<{ mag: number; idx: number; val: number }> = [];
  for (let i = 0; i < h.length; i++) {
    const b = blockOf(g, i);
    const val = relu ? Math.max(h[i]!, 0) : h[i]!;
    const mag = Math.abs(val);
    const cur = best[b];
    if (!cur || mag > cur.mag || (mag === cur.mag && i < cur.idx)) best[b] = { mag, idx: i, val };
  }
  const order = Array.from({ length: B }, (_, b) => b).sort((a, b) => best[b]!.mag - best[a]!.mag || a - b);
  const z = new Float32Array(h.length);
  const support: number[] = [];
  for (const b of order.slice(0, Math.min(k, B))) {
    z[best[b]!.idx] = best[b]!.val;
    support.push(best[b]!.idx);
  }
  return { z, support: support.sort((a, b) => a - b) };
}

export function union(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((u, v) => u - v);
}

/** argmin ||x - W_T^T b|| by the normal equations and a Cholesky factorization, all in f64; as a dense code. */
export function lsExact(D: Dense, x: ArrayLike<number>, T: number[]): Float64Array {
  const c = T.length;
  const G = new Float64Array(c * c);
  const rhs = new Float64Array(c);
  const wx = fwd(D, x);
  for (let a = 0; a < c; a++) {
    rhs[a] = wx[T[a]!]!;
    for (let b = 0; b <= a; b++) {
      const v = dot64(D.A.subarray(T[a]! * D.n, (T[a]! + 1) * D.n), D.A.subarray(T[b]! * D.n, (T[b]! + 1) * D.n));
      G[a * c + b] = v;
      G[b * c + a] = v;
    }
  }
  // G = L L^T
  const L = new Float64Array(c * c);
  for (let i = 0; i < c; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G[i * c + j]!;
      for (let p = 0; p < j; p++) s -= L[i * c + p]! * L[j * c + p]!;
      L[i * c + j] = i === j ? Math.sqrt(s) : s / L[j * c + j]!;
    }
  }
  const y = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    let s = rhs[i]!;
    for (let p = 0; p < i; p++) s -= L[i * c + p]! * y[p]!;
    y[i] = s / L[i * c + i]!;
  }
  const b = new Float64Array(c);
  for (let i = c - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let p = i + 1; p < c; p++) s -= L[p * c + i]! * b[p]!;
    b[i] = s / L[i * c + i]!;
  }
  const z = new Float64Array(D.m);
  T.forEach((t, j) => { z[t] = b[j]!; });
  return z;
}

/** CGLS on T in f64, `steps` steps from the code z0 (no stopping rule): the reference of the solver's iterates. */
export function cglsSteps(D: Dense, x: ArrayLike<number>, T: number[], z0: ArrayLike<number>, steps: number): Float64Array {
  const z = new Float64Array(D.m);
  for (const t of T) z[t] = z0[t]!;
  const xz = adj(D, z);
  const r = Float64Array.from(xz, (v, i) => x[i]! - v);
  const restrict = (v: Float64Array) => { const o = new Float64Array(D.m); for (const t of T) o[t] = v[t]!; return o; };
  let s = restrict(fwd(D, r));
  let gamma = dot64(s, s);
  let p = s.slice();
  for (let j = 0; j < steps && gamma > 0; j++) {
    const q = adj(D, p);
    const alpha = gamma / dot64(q, q);
    for (const t of T) z[t] = z[t]! + alpha * p[t]!;
    for (let i = 0; i < D.n; i++) r[i] = r[i]! - alpha * q[i]!;
    s = restrict(fwd(D, r));
    const gNext = dot64(s, s);
    const beta = gNext / gamma;
    p = Float64Array.from(p, (v, i) => s[i]! + beta * v);
    gamma = gNext;
  }
  return z;
}

export interface RefIterate { z: Float32Array; support: number[]; err: number }

export function relResidual(D: Dense, x: Float32Array, z: ArrayLike<number>): number {
  const xz = adj(D, z);
  return norm64(Float64Array.from(xz, (v, i) => v - x[i]!)) / norm64(x);
}

/** Model-based CoSaMP, the same algorithm as src/algorithms/cosamp.ts, dense and in f64. */
export function cosampRef(D: Dense, x: Float32Array, g: Geo, k: number, relu: boolean, iterations: number): RefIterate[] {
  const B = g.K * Math.ceil(g.Ho / g.ph) * Math.ceil(g.Wo / g.pw);
  let z: ArrayLike<number> = new Float32Array(D.m);
  let support: number[] = [];
  const out: RefIterate[] = [];
  for (let it = 0; it < iterations; it++) {
    const xz = adj(D, z);
    const e = fwd(D, Float64Array.from(x, (v, i) => v - xz[i]!));
    const T = union(support, modelProject(Float32Array.from(e), g, Math.min(2 * k, B), relu).support);
    const b = lsExact(D, x, T);
    ({ z, support } = modelProject(Float32Array.from(b), g, k, relu));
    out.push({ z: z as Float32Array, support, err: relResidual(D, x, z) });
  }
  return out;
}

/** Model-based HTP (unit or normalized step), as src/algorithms/htp.ts; stops when the support repeats. */
export function htpRef(D: Dense, x: Float32Array, gm: Geo, k: number, relu: boolean, iterations: number, step: 'unit' | 'normalized'): RefIterate[] {
  let z: Float64Array = new Float64Array(D.m);
  let support: number[] = [];
  const out: RefIterate[] = [];
  for (let it = 0; it < iterations; it++) {
    const xz = adj(D, z);
    const g = fwd(D, Float64Array.from(x, (v, i) => v - xz[i]!));
    let mu = 1;
    if (step === 'normalized') {
      // on the support of M(g, k): after a least-squares fit g is zero on the current support
      const S = modelProject(Float32Array.from(g), gm, k, relu).support;
      const gS = new Float64Array(D.m);
      for (const t of S) gS[t] = Math.fround(g[t]!);
      const num = dot64(gS, gS);
      const WgS = adj(D, gS);
      const den = dot64(WgS, WgS);
      mu = num > 0 && den > 0 ? num / den : 1;
    }
    const bvec = Float32Array.from(z, (v, i) => v + Math.fround(mu) * g[i]!);
    const S = modelProject(bvec, gm, k, relu).support;
    const unchanged = it > 0 && S.join() === support.join();
    z = lsExact(D, x, S);
    support = S;
    out.push({ z: Float32Array.from(z), support, err: relResidual(D, x, z) });
    if (unchanged) break;
  }
  return out;
}

/** Model-based Subspace Pursuit, as src/algorithms/subspace-pursuit.ts; stops when the residual stops falling. */
export function spRef(D: Dense, x: Float32Array, g: Geo, k: number, relu: boolean, iterations: number): RefIterate[] {
  let z: Float64Array = new Float64Array(D.m);
  let support: number[] = [];
  let err = 1;
  const out: RefIterate[] = [];
  for (let it = 0; it < iterations; it++) {
    const xz = adj(D, z);
    const e = fwd(D, Float64Array.from(x, (v, i) => v - xz[i]!));
    const T = union(support, modelProject(Float32Array.from(e), g, k, relu).support);
    const b = lsExact(D, x, T);
    const S = modelProject(Float32Array.from(b), g, k, relu).support;
    const zTry = lsExact(D, x, S);
    const errTry = relResidual(D, x, zTry);
    if (it > 0 && errTry >= err) break;
    z = zTry;
    support = S;
    err = errTry;
    out.push({ z: Float32Array.from(z), support, err });
  }
  return out;
}

