// Shared test helpers: both modules, error metrics, and a plain-JS dense oracle.
import { load } from '../src/index.js';
import type { Convcs, ConvOperator } from '../src/index.js';

export const backends = ['simd', 'scalar'] as const;

const cache = new Map<string, Promise<Convcs>>();
/** One instance per backend, shared by a test file. */
export function instance(backend: 'simd' | 'scalar'): Promise<Convcs> {
  let p = cache.get(backend);
  if (!p) cache.set(backend, (p = load({ backend })));
  return p;
}

/** ||a - b||_inf / ||b||_inf */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return den === 0 ? num : num / den;
}

export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm64(a: ArrayLike<number>): number {
  return Math.sqrt(dot64(a, a));
}

export function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

/** A small deterministic PRNG for test data (independent of the library's generator). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

/**
 * The dense matrix of W (outputSize x inputSize, row-major, f64), built column by column from
 * the operator's transpose: column j of W^T is W^T e_j, i.e. row j of W.
 */
export function denseMatrix(W: ConvOperator): Float64Array {
  const A = new Float64Array(W.outputSize * W.inputSize);
  const e = new Float32Array(W.outputSize);
  for (let j = 0; j < W.outputSize; j++) {
    e.fill(0);
    e[j] = 1;
    const row = W.transpose(e);
    for (let i = 0; i < W.inputSize; i++) A[j * W.inputSize + i] = row[i]!;
  }
  return A;
}

/**
 * Independent scalar convolution in f64 straight from the definition (PyTorch semantics), used as
 * an oracle where no golden fixture exists.
 */
export function convReference(
  x: Float32Array, w: Float32Array,
  g: { M: number; K: number; H: number; W: number; kh: number; kw: number; sh: number; sw: number; pt: number; pl: number; Ho: number; Wo: number },
): Float64Array {
  const out = new Float64Array(g.K * g.Ho * g.Wo);
  for (let k = 0; k < g.K; k++) {
    for (let oy = 0; oy < g.Ho; oy++) {
      for (let ox = 0; ox < g.Wo; ox++) {
        let s = 0;
        for (let m = 0; m < g.M; m++) {
          for (let ky = 0; ky < g.kh; ky++) {
            const iy = oy * g.sh - g.pt + ky;
            if (iy < 0 || iy >= g.H) continue;
            for (let kx = 0; kx < g.kw; kx++) {
              const ix = ox * g.sw - g.pl + kx;
              if (ix < 0 || ix >= g.W) continue;
              s += w[((k * g.M + m) * g.kh + ky) * g.kw + kx]! * x[(m * g.H + iy) * g.W + ix]!;
            }
          }
        }
        out[(k * g.Ho + oy) * g.Wo + ox] = s;
      }
    }
  }
  return out;
}

/** x = W^T z in f64 straight from the definition of the adjoint. */
export function transposeReference(
  z: Float32Array, w: Float32Array,
  g: { M: number; K: number; H: number; W: number; kh: number; kw: number; sh: number; sw: number; pt: number; pl: number; Ho: number; Wo: number },
): Float64Array {
  const x = new Float64Array(g.M * g.H * g.W);
  for (let k = 0; k < g.K; k++) {
    for (let oy = 0; oy < g.Ho; oy++) {
      for (let ox = 0; ox < g.Wo; ox++) {
        const zv = z[(k * g.Ho + oy) * g.Wo + ox]!;
        if (zv === 0) continue;
        for (let m = 0; m < g.M; m++) {
          for (let ky = 0; ky < g.kh; ky++) {
            const iy = oy * g.sh - g.pt + ky;
            if (iy < 0 || iy >= g.H) continue;
            for (let kx = 0; kx < g.kw; kx++) {
              const ix = ox * g.sw - g.pl + kx;
              if (ix < 0 || ix >= g.W) continue;
              x[(m * g.H + iy) * g.W + ix] = x[(m * g.H + iy) * g.W + ix]! + w[((k * g.M + m) * g.kh + ky) * g.kw + kx]! * zv;
            }
          }
        }
      }
    }
  }
  return x;
}


export interface Geo { K: number; Ho: number; Wo: number; ph: number; pw: number }

/** Block index of each flat position (ceil-mode blocks, block order k, by, bx). */
export function blockOf(g: Geo, i: number): number {
  const Bh = Math.ceil(g.Ho / g.ph);
  const Bw = Math.ceil(g.Wo / g.pw);
  const k = Math.floor(i / (g.Ho * g.Wo));
  const r = i % (g.Ho * g.Wo);
  const y = Math.floor(r / g.Wo);
  const x = r % g.Wo;
  return (k * Bh + Math.floor(y / g.ph)) * Bw + Math.floor(x / g.pw);
}

/** Straightforward reference: winners by scanning, then a stable sort of blocks. */
export function projectReference(h: Float32Array, g: Geo, k: number, relu: boolean): Float32Array {
  const B = g.K * Math.ceil(g.Ho / g.ph) * Math.ceil(g.Wo / g.pw);
  const best = new Array<{ mag: number; idx: number; val: number }>(B);
  for (let i = 0; i < h.length; i++) {
    const b = blockOf(g, i);
    const val = relu ? Math.max(h[i]!, 0) : h[i]!;
    const mag = Math.abs(val);
    if (!best[b] || mag > best[b].mag || (mag === best[b].mag && i < best[b].idx)) best[b] = { mag, idx: i, val };
  }
  const order = [...best.keys()].sort((a, b) => best[b]!.mag - best[a]!.mag || a - b);
  const z = new Float32Array(h.length);
  for (const b of order.slice(0, k)) z[best[b]!.idx] = best[b]!.val;
  return z;
}

