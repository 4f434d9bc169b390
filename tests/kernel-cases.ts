// The kernel test matrix's cases, keyed by kernel name (assembly/kernels.json). A SIMD kernel's
// case runs it and its scalar reference on the same inputs in the SIMD module; a scalar kernel's
// case checks it against plain JavaScript (or float64) and records its outputs, which
// tests/kernels.test.ts compares bit for bit between the SIMD and the scalar module.
import fc from 'fast-check';
import assert from './assert.js';
import type { Engine } from '../src/instance.js';
import type { ModuleExports, ScalarKernelExports, SimdKernelExports } from '../src/generated/kernels.js';
import { splitRange } from '../src/threads/split.js';
import { winogradPlaneFloats as planeFloats } from '../src/conv/choose.js';
import { bitsEqual, convReference, dot64, mulberry32, randomArray, relErr, transposeReference } from './helpers.js';

/** One module as a case sees it. */
export interface Mod {
  backend: 'simd' | 'scalar';
  e: Engine;
  k: ModuleExports & ScalarKernelExports;
  /** The SIMD kernels (only SIMD kernels' cases use it; they run in the SIMD module only). */
  s: SimdKernelExports;
  /** Outputs of a scalar kernel, compared bit for bit between the modules. */
  record(value: Float32Array | Int32Array | BigUint64Array | number): void;
}

export type KernelCase = (m: Mod) => void;

// ---- buffers in linear memory ----

/** Scratch buffers for one call sequence; `free` releases them all. */
export class Bufs {
  private readonly blocks: number[] = [];
  constructor(private readonly e: Engine) {}

  /** `bytes` bytes aligned to `align` (16 by default), filled with the byte `fill`. */
  raw(bytes: number, align = 16, fill = 0xff): number {
    const p = this.e.heap.alloc(Math.max(bytes, 4) + align);
    this.blocks.push(p);
    const q = Math.ceil(p / align) * align;
    new Uint8Array(this.e.abi.memory.buffer, q, Math.max(bytes, 4)).fill(fill);
    return q;
  }

  /** A copy of `data`, or `data` floats of NaN (a value a kernel never leaves by accident). */
  f32(data: ArrayLike<number> | number, align = 16): number {
    const n = typeof data === 'number' ? data : data.length;
    const p = this.raw(n * 4, align);
    if (typeof data !== 'number') this.e.f32(p, n).set(data);
    return p;
  }

  zeros(n: number, align = 16): number {
    return this.raw(n * 4, align, 0);
  }

  i32(data: ArrayLike<number> | number): number {
    const n = typeof data === 'number' ? data : data.length;
    const p = this.raw(n * 4);
    if (typeof data !== 'number') this.e.i32(p, n).set(data);
    return p;
  }

  readF32(p: number, n: number): Float32Array {
    return this.e.f32(p, n).slice();
  }

  readI32(p: number, n: number): Int32Array {
    return this.e.i32(p, n).slice();
  }

  free(): void {
    for (const p of this.blocks) this.e.heap.release(p);
    this.blocks.length = 0;
  }
}

function withBufs<T>(m: Mod, fn: (b: Bufs) => T): T {
  const b = new Bufs(m.e);
  try {
    return fn(b);
  } finally {
    b.free();
  }
}

const f = Math.fround;

function i32Equal(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.deepEqual(Array.from(a), Array.from(b), what);
}

function bits(a: Float32Array, b: Float32Array, what: string): void {
  if (bitsEqual(a, b)) return;
  let i = 0;
  while (i < a.length && Object.is(a[i], b[i])) i++;
  assert.fail(`${what}: differ (lengths ${a.length}, ${b.length}; first at ${i}: ${a[i]} vs ${b[i]})`);
}

function near(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  const err = relErr(got, want);
  assert.ok(err <= tol, `${what}: relative error ${err} > ${tol}`);
}

/** Lengths around the vector widths (4, 16) and a long one. */
const LENGTHS = [0, 1, 3, 4, 5, 8, 15, 16, 17, 33, 100, 1000, 4099];

// ---- convolution geometry and plain-JavaScript layouts ----

export interface Shape { M: number; K: number; H: number; W: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; seed: number }

export interface Geo extends Shape { pt: number; pl: number; Hp: number; Wp: number; Ho: number; Wo: number; P: number; L: number }

export function geo(s: Shape): Geo {
  const Hp = s.H + 2 * s.ph, Wp = s.W + 2 * s.pw;
  const Ho = Math.floor((Hp - s.kh) / s.sh) + 1, Wo = Math.floor((Wp - s.kw) / s.sw) + 1;
  return { ...s, pt: s.ph, pl: s.pw, Hp, Wp, Ho, Wo, P: Ho * Wo, L: s.M * s.kh * s.kw };
}

/** x[C][H][W] into zeros [C][Hp][Wp] at (pt, pl). */
export function padJs(x: ArrayLike<number>, C: number, H: number, W: number, Hp: number, Wp: number, pt: number, pl: number): Float32Array {
  const out = new Float32Array(C * Hp * Wp);
  for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
    out[(c * Hp + y + pt) * Wp + xx + pl] = x[(c * H + y) * W + xx]!;
  }
  return out;
}

/** The interior [C][H][W] of a padded channel-first buffer. */
export function cropChwJs(xp: ArrayLike<number>, C: number, H: number, W: number, Hp: number, Wp: number, pt: number, pl: number): Float32Array {
  const out = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
    out[(c * H + y) * W + xx] = xp[(c * Hp + y + pt) * Wp + xx + pl]!;
  }
  return out;
}

/** The interior, channel-first, of a padded channel-last buffer xc[Hp][Wp][C]: its first M channels (all C by default). */
export function cropHwcJs(xc: ArrayLike<number>, C: number, H: number, W: number, Wp: number, pt: number, pl: number, M = C): Float32Array {
  const out = new Float32Array(M * H * W);
  for (let c = 0; c < M; c++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
    out[(c * H + y) * W + xx] = xc[((y + pt) * Wp + xx + pl) * C + c]!;
  }
  return out;
}

/** [lo, hi) cut at the cuts strictly inside it, as threads split a range: [y0, y1) pairs in order. */
function bandsBetween(lo: number, hi: number, cuts: readonly number[]): Array<[number, number]> {
  const ends = [lo, ...cuts.filter((y) => y > lo && y < hi), hi];
  return ends.slice(1).map((y1, i) => [ends[i]!, y1]);
}

/** Channel-last filters w[k][m][ky][kx] -> [k][ky][kx][m]. */
export function hwcJs(w: ArrayLike<number>, K: number, M: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(K * M * kh * kw);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
    out[((k * kh + ky) * kw + kx) * M + m] = w[((k * M + m) * kh + ky) * kw + kx]!;
  }
  return out;
}

/** Filters w[k][m][ky][kx] (M <= 4) -> [k][ky][kx][4], channels past M zero. */
function c4Js(w: ArrayLike<number>, K: number, M: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(K * kh * kw * 4);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
    out[((k * kh + ky) * kw + kx) * 4 + m] = w[((k * M + m) * kh + ky) * kw + kx]!;
  }
  return out;
}

/** Filters flipped in both axes with the channel roles swapped: [M][K][kh][kw]. */
function flipJs(w: ArrayLike<number>, K: number, M: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(K * M * kh * kw);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
    out[((m * K + k) * kh + ky) * kw + kx] = w[((k * M + m) * kh + (kh - 1 - ky)) * kw + (kw - 1 - kx)]!;
  }
  return out;
}

// ---- the convolution kernels, each in the way the facade prepares its buffers ----

function weightsOf(g: Geo): Float32Array {
  return randomArray(g.K * g.L, g.seed);
}

/** f32_conv2d_scalar on the JS-padded input. */
function convScalar(m: Mod, g: Geo, x: Float32Array, w: Float32Array): Float32Array {
  return withBufs(m, (b) => {
    const out = b.f32(g.K * g.P);
    m.k.f32_conv2d_scalar(b.f32(padJs(x, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl)), g.Hp, g.Wp, g.M, b.f32(w), g.K, g.kh, g.kw, g.sh, g.sw, g.Ho, g.Wo, out);
    return b.readF32(out, g.K * g.P);
  });
}

function conv4x8(m: Mod, g: Geo, x: Float32Array, w: Float32Array): Float32Array {
  return withBufs(m, (b) => {
    const packed = b.f32(Math.ceil(g.K / 8) * 8 * g.L);
    m.k.f32_pack_conv2d_8_scalar(b.f32(w), g.K, g.L, packed);
    const tapOff = b.i32(g.L);
    m.k.i32_conv2d_tap_offsets_scalar(g.M, g.kh, g.kw, g.Hp, g.Wp, tapOff);
    const out = b.f32(g.K * g.P);
    m.s.f32_conv2d_4x8_simd(b.f32(padJs(x, g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl)), g.Wp, tapOff, g.L, packed, g.K, g.sh, g.sw, g.Ho, g.Wo, out);
    return b.readF32(out, g.K * g.P);
  });
}

/** f32_conv2d_s1_3x8_simd: forward, or (flip) the stride-1 transpose as a correlation. */
function conv3x8(m: Mod, g: Geo, input: Float32Array, w: Float32Array, flip: boolean, rowCut?: number): Float32Array {
  const [C, O, h, wd, Hq, Wq, py, px, Ho, Wo] = flip
    ? [g.K, g.M, g.Ho, g.Wo, g.H + g.kh - 1, g.W + g.kw - 1, g.kh - 1 - g.pt, g.kw - 1 - g.pl, g.H, g.W]
    : [g.M, g.K, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl, g.Ho, g.Wo];
  return withBufs(m, (b) => {
    const taps = C * g.kh * g.kw;
    const packed = b.f32(Math.ceil(O / 3) * 3 * taps);
    m.k.f32_pack_conv2d_3_scalar(b.f32(w), g.K, g.M, g.kh, g.kw, flip ? 1 : 0, packed);
    const tapOff = b.i32(taps);
    m.k.i32_conv2d_tap_offsets_scalar(C, g.kh, g.kw, Hq, Wq, tapOff);
    const out = b.f32(O * Ho * Wo);
    const xp = b.f32(padJs(input, C, h, wd, Hq, Wq, py, px));
    // in two calls of rows [0, cut) and [cut, Ho), as two threads split them, or in one
    const cut = rowCut === undefined ? Ho : Math.min(rowCut, Ho);
    m.s.f32_conv2d_s1_3x8_simd(xp, Wq, tapOff, taps, packed, O, Ho, Wo, 0, cut, out);
    if (cut < Ho) m.s.f32_conv2d_s1_3x8_simd(xp, Wq, tapOff, taps, packed, O, Ho, Wo, cut, Ho, out);
    return b.readF32(out, O * Ho * Wo);
  });
}

/** The same correlation through f32_conv2d_scalar with the filters flipped in JavaScript. */
function conv3x8Reference(m: Mod, g: Geo, z: Float32Array, w: Float32Array): Float32Array {
  const Hq = g.H + g.kh - 1, Wq = g.W + g.kw - 1;
  return withBufs(m, (b) => {
    const out = b.f32(g.M * g.H * g.W);
    m.k.f32_conv2d_scalar(b.f32(padJs(z, g.K, g.Ho, g.Wo, Hq, Wq, g.kh - 1 - g.pt, g.kw - 1 - g.pl)), Hq, Wq, g.K,
      b.f32(flipJs(w, g.K, g.M, g.kh, g.kw)), g.M, g.kh, g.kw, 1, 1, g.H, g.W, out);
    return b.readF32(out, g.M * g.H * g.W);
  });
}

function transposeScalar(m: Mod, g: Geo, z: Float32Array, w: Float32Array): Float32Array {
  return withBufs(m, (b) => {
    const n = g.M * g.Hp * g.Wp;
    const xp = b.zeros(n);
    m.k.f32_conv2d_transpose_scalar(b.f32(z), g.K, g.Ho, g.Wo, b.f32(w), g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, xp);
    return cropChwJs(b.readF32(xp, n), g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
  });
}

/** f32_conv2d_transpose_4x8_simd over all pixels into the kept rows; or in bands of rows cut at `cuts`, each with the code rows that reach it. */
function transpose4x8(m: Mod, g: Geo, z: Float32Array, w: Float32Array, cuts: readonly number[] = []): Float32Array {
  return withBufs(m, (b) => {
    const Lpad = Math.ceil(g.L / 8) * 8;
    const wcl = b.f32(g.K * g.L);
    m.k.f32_pack_conv2d_hwc_scalar(b.f32(w), g.K, g.M, g.kh, g.kw, wcl);
    const packed = b.f32(Lpad * g.K);
    m.k.f32_pack_conv2d_transpose_8_scalar(wcl, g.K, g.L, packed);
    const colOff = b.i32(Lpad);
    m.k.i32_conv2d_transpose_offsets_scalar(g.M, g.kh, g.kw, g.Wp, colOff, Lpad);
    const n = g.Hp * g.Wp * g.M;
    const xc = b.zeros(n);
    const zp = b.f32(z);
    for (const [y0, y1] of bandsBetween(g.pt, g.pt + g.H, cuts)) {
      const oy0 = Math.max(0, Math.ceil((y0 - g.kh + 1) / g.sh)), oy1 = Math.min(g.Ho, Math.floor((y1 - 1) / g.sh) + 1);
      m.s.f32_conv2d_transpose_4x8_simd(zp, g.K, g.Ho, g.Wo, packed, g.L, colOff, g.M, g.sh, g.sw, g.Wp, oy0 * g.Wo, Math.max(oy0, oy1) * g.Wo, y0, y1, xc);
    }
    return cropHwcJs(b.readF32(xc, n), g.M, g.H, g.W, g.Wp, g.pt, g.pl);
  });
}

function sparseScalar(m: Mod, g: Geo, idx: Int32Array, val: Float32Array, w: Float32Array): Float32Array {
  return withBufs(m, (b) => {
    const n = g.M * g.Hp * g.Wp;
    const xp = b.zeros(n);
    m.k.f32_conv2d_transpose_sparse_scalar(b.i32(idx), b.f32(val), idx.length, g.Ho, g.Wo, b.f32(w), g.M, g.kh, g.kw, g.sh, g.sw, g.Hp, g.Wp, xp);
    return cropChwJs(b.readF32(xp, n), g.M, g.H, g.W, g.Hp, g.Wp, g.pt, g.pl);
  });
}

/**
 * The sparse GEMM kernels as the facade composes them: the code regrouped by block of 2^kbShift
 * filters and pixel, then the 24-column (groupTile groups per pixel) or 32-column kernel on
 * 64-byte aligned panels.
 */
function sparseGemm(m: Mod, g: Geo, idx: Int32Array, val: Float32Array, w: Float32Array, tile: 24 | 32, kbShift: number, groupTile: number,
  bandCuts: readonly number[] = []): Float32Array {
  return withBufs(m, (b) => {
    const Lpad = Math.ceil(g.L / tile) * tile;
    const wcl = b.f32(g.K * g.L);
    m.k.f32_pack_conv2d_hwc_scalar(b.f32(w), g.K, g.M, g.kh, g.kw, wcl);
    const panel = b.f32(Lpad * g.K, 64);
    if (tile === 24) m.k.f32_pack_conv2d_transpose_24_scalar(wcl, g.K, g.L, panel);
    else m.k.f32_pack_conv2d_transpose_32_scalar(wcl, g.K, g.L, panel);
    const colOff = b.i32(Lpad);
    m.k.i32_conv2d_transpose_offsets_scalar(g.M, g.kh, g.kw, g.Wp, colOff, Lpad);
    const nKB = ((g.K - 1) >> kbShift) + 1;
    const rowStart = b.i32(nKB * g.P + 1);
    const kv = b.raw(idx.length * 8);
    regroupByKernels(m, b, b.i32(idx), b.f32(val), idx.length, g.P, nKB * g.P, kbShift, tile << 2, rowStart, kv, 2, g.K);
    const n = g.Hp * g.Wp * g.M;
    const xc = b.zeros(n);
    // in bands of accumulator rows between the cuts (as threads split them), or in one call
    for (const [y0, y1] of bandsBetween(0, g.Hp, bandCuts)) {
      if (tile === 24) {
        m.s.f32_conv2d_transpose_sparse_1x24_kblock_simd(rowStart, kv, nKB, groupTile, g.Ho, g.Wo, panel, g.K, g.L, colOff, g.M, g.kw, g.sh, g.sw, g.Wp, g.pt, g.pl, g.H, g.W, y0, y1, xc);
      } else {
        m.s.f32_conv2d_transpose_sparse_1x32_simd(rowStart, kv, nKB, g.Ho, g.Wo, panel, g.K, g.L, colOff, g.M, g.kw, g.sh, g.sw, g.Wp, g.pt, g.pl, g.H, g.W, y0, y1, xc);
      }
    }
    return cropHwcJs(b.readF32(xc, n), g.M, g.H, g.W, g.Wp, g.pt, g.pl);
  });
}

/** The axpy kernel into all accumulator rows, or in bands of rows between the cuts (as threads split them). */
function sparseAxpy16(m: Mod, g: Geo, idx: Int32Array, val: Float32Array, w: Float32Array, cuts: readonly number[] = []): Float32Array {
  return withBufs(m, (b) => {
    const n = g.Hp * g.Wp * g.M;
    const xc = b.zeros(n);
    const [pi, pv, pw] = [b.i32(idx), b.f32(val), b.f32(hwcJs(w, g.K, g.M, g.kh, g.kw))];
    for (const [y0, y1] of bandsBetween(0, g.Hp, cuts)) {
      m.s.f32_conv2d_transpose_sparse_axpy16_simd(pi, pv, idx.length, g.Ho, g.Wo, pw, g.M, g.kh, g.kw, g.sh, g.sw, g.Wp, y0, y1, xc);
    }
    return cropHwcJs(b.readF32(xc, n), g.M, g.H, g.W, g.Wp, g.pt, g.pl);
  });
}

/**
 * The 3x3 kernel onto <= 4 channels, its filters packed by the c4 packing, into all accumulator
 * rows or in bands between the cuts with the band flag set (each band cut to its non-zeros by
 * binary search when the code ascends).
 */
function sparseC4(m: Mod, g: Geo, idx: Int32Array, val: Float32Array, w: Float32Array, cuts: readonly number[] = []): Float32Array {
  return withBufs(m, (b) => {
    const n = g.Hp * g.Wp * 4;
    const xc = b.zeros(n);
    const w4 = b.f32(g.K * 9 * 4);
    m.k.f32_pack_conv2d_transpose_c4_scalar(b.f32(w), g.K, g.M, g.kh, g.kw, w4);
    const [pi, pv] = [b.i32(idx), b.f32(val)];
    for (const [y0, y1] of bandsBetween(0, g.Hp, cuts)) {
      m.s.f32_conv2d_transpose_sparse_3x3c4_simd(pi, pv, idx.length, g.K, g.Ho, g.Wo, w4, g.sh, g.sw, g.Wp, y0, y1, cuts.length > 0 ? 1 : 0, xc);
    }
    return cropHwcJs(b.readF32(xc, n), 4, g.H, g.W, g.Wp, g.pt, g.pl, g.M);
  });
}

// ---- shapes ----

/** Random layers: odd sizes, 1 channel, strides 1 to 3, padding up to 3 (the old file's). */
/** Block magnitudes for the top-k kernels (spread, many ties, mostly zeros, extremes) and a k. */
const magsArb = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: -1, max: 320 }), fc.constantFrom('spread', 'ties', 'zeros', 'extremes'), fc.integer({ min: 1, max: 1 << 30 }))
  .map(([B, k, kind, seed]) => {
    const r = mulberry32(seed);
    const mag = Float32Array.from({ length: B }, () => {
      const u = r();
      if (kind === 'ties') return Math.floor(u * 5) / 4;
      if (kind === 'zeros') return u < 0.7 ? 0 : u;
      if (kind === 'extremes') return [0, 1e-45, 1e-40, 3.4e38, Infinity, u, u * 1e-30][Math.floor(u * 7)]!;
      return u * 2 ** Math.floor(r() * 40 - 20);
    });
    return [mag, k] as const;
  });

/** The projector's top-k (src/projection.ts, Projector.topK) from its four kernels, the passes over the blocks in `parts` ranges. */
function topKByKernels(m: Mod, mag: Float32Array, k: number, parts: number): Int32Array {
  const B = mag.length;
  if (k <= 0 || B === 0) return new Int32Array(0);
  return withBufs(m, (b) => {
    const pm = b.f32(mag), sel = b.i32(B), narrowed = b.raw(8), taken = b.raw(4);
    const ranges = splitRange(B, parts);
    let threshold = 0, lastTie = B - 1;
    if (k < B) {
      const hists = ranges.map(([a, e]) => {
        const h = b.raw(4096 * 4);
        m.k.u32_top_k_histogram_scalar(pm, a, e, h);
        return b.readI32(h, 4096);
      });
      let need = k, bucket = 4095;
      for (; bucket > 0; bucket--) {
        const c = hists.reduce((t, h) => t + h[bucket]!, 0);
        if (c >= need) break;
        need -= c;
      }
      const cand: number[] = [];
      for (const [a, e] of ranges) {
        const n = m.k.u32_top_k_candidates_scalar(pm, a, e, bucket, sel + a * 4);
        cand.push(...b.readI32(sel + a * 4, n));
      }
      m.k.u32_top_k_narrow_scalar(pm, b.i32(cand), cand.length, need, b.raw(1024 * 4), narrowed);
      [threshold, lastTie] = b.readI32(narrowed, 2) as unknown as [number, number];
    }
    const out: number[] = [];
    for (const [a, e] of ranges) {
      m.k.u32_top_k_select_scalar(pm, a, e, threshold, lastTie, sel + a * 4, taken);
      out.push(...b.readI32(sel + a * 4, b.readI32(taken, 1)[0]!));
    }
    return Int32Array.from(out);
  });
}

/** Sparse codes to regroup: ascending (as cs.project returns them), descending, shuffled, empty. */
function regroupInputs() {
  const out: Array<{ K: number; P: number; kbShift: number; idx: number[]; z: Float32Array; order: string }> = [];
  for (const [K, P, kbShift] of [[1, 1, 30], [7, 5, 0], [64, 12, 3], [9, 30, 1], [40, 4, 30]] as const) {
    const z = randomArray(K * P, K + P + kbShift);
    for (const order of ['ascending', 'descending', 'shuffled', 'empty'] as const) {
      let idx = [...z.keys()].filter((i) => Math.abs(z[i]!) < 0.5);
      if (order === 'descending') idx.reverse();
      if (order === 'shuffled') {
        const r = mulberry32(K * P);
        idx = idx.map((i) => [r(), i] as const).sort((a, c) => a[0] - c[0]).map(([, i]) => i);
      }
      if (order === 'empty') idx = [];
      out.push({ K, P, kbShift, idx, z, order });
    }
  }
  return out;
}

/**
 * The sparse path's regrouping (src/conv/paths/sparse.ts) from its kernels, the entries in `parts`
 * ranges: counted by ranges of entries, then placed by ranges of pixels when the indices ascend
 * (unless `byEntries`), else by the ranges of entries.
 */
function regroupByKernels(m: Mod, b: Bufs, idx: number, val: number, nnz: number, P: number, buckets: number, kbShift: number,
  rowBytes: number, rowStart: number, kv: number, parts: number, K = 0, byEntries = false): void {
  const ranges = nnz === 0 ? [[0, 0] as [number, number]] : splitRange(nnz, parts);
  const cursors = b.i32(ranges.length * buckets), flags = b.i32(ranges.length);
  ranges.forEach(([j0, j1], t) => m.k.i32_sparse_code_count_scalar(idx, j0, j1, P, kbShift, buckets, cursors + t * buckets * 4, flags + t * 4));
  m.k.i32_sparse_code_offsets_scalar(cursors, ranges.length, buckets, rowStart);
  const ix = b.readI32(idx, nnz);
  const ascending = b.readI32(flags, ranges.length).every((a) => a === 1) && ranges.every(([j0], t) => t === 0 || ix[j0 - 1]! <= ix[j0]!);
  assert.equal(ascending, ix.every((v, j) => j === 0 || ix[j - 1]! <= v), 'the count pass tells whether the indices ascend');
  if (ascending && !byEntries) {
    for (const [p0, p1] of splitRange(P, parts)) m.k.i32_sparse_code_place_ascending_scalar(idx, val, nnz, K, P, kbShift, rowBytes, cursors, kv, p0, p1);
  } else {
    ranges.forEach(([j0, j1], t) => m.k.i32_sparse_code_place_scalar(idx, val, j0, j1, P, kbShift, rowBytes, cursors + t * buckets * 4, kv));
  }
}

const shapeArb = fc.record({
  M: fc.integer({ min: 1, max: 11 }),
  K: fc.integer({ min: 1, max: 19 }),
  H: fc.integer({ min: 1, max: 9 }),
  W: fc.integer({ min: 1, max: 13 }),
  kh: fc.integer({ min: 1, max: 4 }),
  kw: fc.integer({ min: 1, max: 5 }),
  sh: fc.integer({ min: 1, max: 3 }),
  sw: fc.integer({ min: 1, max: 3 }),
  ph: fc.integer({ min: 0, max: 3 }),
  pw: fc.integer({ min: 0, max: 3 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).filter((s) => s.H + 2 * s.ph >= s.kh && s.W + 2 * s.pw >= s.kw);

/** Stride 1, 1 to 7 output channels, rows around the 4- and 8-pixel tiles; padding < kernel. */
const fewChannelsArb = fc.record({
  M: fc.integer({ min: 1, max: 9 }),
  K: fc.integer({ min: 1, max: 7 }),
  H: fc.integer({ min: 1, max: 7 }),
  W: fc.integer({ min: 1, max: 31 }),
  kh: fc.integer({ min: 1, max: 4 }),
  kw: fc.integer({ min: 1, max: 5 }),
  sh: fc.constant(1), sw: fc.constant(1),
  ph: fc.integer({ min: 0, max: 3 }),
  pw: fc.integer({ min: 0, max: 4 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).filter((s) => s.ph <= s.kh - 1 && s.pw <= s.kw - 1 && s.H + 2 * s.ph >= s.kh && s.W + 2 * s.pw >= s.kw);

/** 3x3 layers with up to the given channels, sizes and stride, padding 0 to 2. */
function arb3x3(max: { M: number; K: number; H: number; W: number; stride: number }) {
  const stride = max.stride === 1 ? fc.constant(1) : fc.integer({ min: 1, max: max.stride });
  return fc.record({
    M: fc.integer({ min: 1, max: max.M }),
    K: fc.integer({ min: 1, max: max.K }),
    H: fc.integer({ min: 1, max: max.H }),
    W: fc.integer({ min: 1, max: max.W }),
    kh: fc.constant(3), kw: fc.constant(3), sh: stride, sw: stride,
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  }).filter((s) => s.H + 2 * s.ph >= 3 && s.W + 2 * s.pw >= 3);
}

const winogradArb = arb3x3({ M: 13, K: 13, H: 19, W: 19, stride: 1 });

/** Fixed edge layers for the sparse kernels: many filters (blocks), 1 channel, odd sizes, strides 1 and 2. */
const SPARSE_SHAPES: Shape[] = [
  { M: 3, K: 64, H: 9, W: 11, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, seed: 11 },
  { M: 5, K: 9, H: 7, W: 6, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, seed: 12 },
  { M: 32, K: 40, H: 5, W: 5, kh: 3, kw: 3, sh: 2, sw: 1, ph: 2, pw: 0, seed: 13 },
  { M: 33, K: 7, H: 6, W: 9, kh: 2, kw: 3, sh: 1, sw: 2, ph: 0, pw: 2, seed: 14 },
  { M: 64, K: 70, H: 7, W: 5, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, seed: 15 },
  { M: 8, K: 33, H: 13, W: 1, kh: 5, kw: 1, sh: 1, sw: 1, ph: 3, pw: 0, seed: 16 },
  { M: 1, K: 3, H: 1, W: 1, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, seed: 17 },
];

/** 3x3 layers onto 1 to 4 channels: the c4 sparse kernel's (strides 1 to 3, padding 0 to 2, rows cut by patches). */
const SPARSE_C4_SHAPES: Shape[] = [
  { M: 3, K: 64, H: 9, W: 11, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, seed: 21 },
  { M: 4, K: 5, H: 12, W: 7, kh: 3, kw: 3, sh: 2, sw: 1, ph: 1, pw: 2, seed: 22 },
  { M: 1, K: 3, H: 3, W: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0, seed: 23 },
  { M: 2, K: 9, H: 10, W: 5, kh: 3, kw: 3, sh: 3, sw: 2, ph: 2, pw: 1, seed: 24 },
];

const c4Arb = arb3x3({ M: 4, K: 19, H: 14, W: 13, stride: 3 });

/** A code of layer g: the entries of a seeded random array below `density` in magnitude, in ascending or descending order. */
function randomCode(g: Geo, seed: number, density: number, descending: boolean): [Int32Array, Float32Array] {
  const z = randomArray(g.K * g.P, seed);
  const list = [...z.keys()].filter((i) => Math.abs(z[i]!) < density);
  if (descending) list.reverse();
  const idx = Int32Array.from(list);
  return [idx, Float32Array.from(idx, (i) => z[i]!)];
}

/** Codes of a layer: empty, one non-zero (first, last, middle), 100%, every third, 25% descending. */
function sparseCodes(g: Geo, seed: number): Array<[string, Int32Array, Float32Array]> {
  const n = g.K * g.P;
  const z = randomArray(n, seed);
  const all = [...z.keys()];
  const quarter = all.filter((i) => Math.abs(z[i]!) < 0.25);
  const lists: Array<[string, number[]]> = [
    ['empty', []],
    ['first entry', [0]],
    ['last entry', [n - 1]],
    ['a middle entry', [Math.floor(n / 2)]],
    ['100% density', all],
    ['every third entry', all.filter((i) => i % 3 === 0)],
    ['25%, descending', [...quarter].reverse()],
  ];
  return lists.map(([what, idx]) => [what, Int32Array.from(idx), Float32Array.from(idx, (i) => z[i]!)]);
}

// ---- Winograd F(2x2, 3x3) ----

interface WinoChain { I: number; O: number; h: number; wd: number; py: number; px: number; Ho: number; Wo: number; transpose: 0 | 1 }

/** The forward (input x) or transposed (input z) problem of a 3x3 stride-1 layer. */
function winoChain(g: Geo, transpose: boolean): WinoChain {
  return transpose
    ? { I: g.K, O: g.M, h: g.Ho, wd: g.Wo, py: 2 - g.pt, px: 2 - g.pl, Ho: g.H, Wo: g.W, transpose: 1 }
    : { I: g.M, O: g.K, h: g.H, wd: g.W, py: g.pt, px: g.pl, Ho: g.Ho, Wo: g.Wo, transpose: 0 };
}

const BT = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]];
const G = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];
const AT = [[1, 1, 1, 0], [0, 1, -1, -1]];

/** a (r x n) times b (n x c), row-major arrays of arrays, in float64. */
function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, i) => s + v * b[i]![j]!, 0)));
}

function transposeMat(a: number[][]): number[][] {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

/** A Winograd block problem: C channels of a padded input holding TY x TX tiles, in blocks of Tb. */
const winoBlockArb = fc.record({
  C: fc.integer({ min: 1, max: 6 }),
  TY: fc.integer({ min: 1, max: 5 }),
  TX: fc.integer({ min: 1, max: 11 }),
  blocks: fc.constantFrom(8, 16, 0),
  extraW: fc.integer({ min: 0, max: 2 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

/** Each block (t0, n) of T tiles taken Tb at a time. */
function blocksOf(T: number, Tb: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let t0 = 0; t0 < T; t0 += Tb) out.push([t0, Math.min(Tb, T - t0)]);
  return out;
}

// ---- Winograd F(4x4, 3x3) ----

/** Like winogradArb, wide enough for the SIMD kernels' groups of four 4x4 tiles. */
const winograd4Arb = fc.record({
  M: fc.integer({ min: 1, max: 11 }),
  K: fc.integer({ min: 1, max: 11 }),
  H: fc.integer({ min: 1, max: 19 }),
  W: fc.integer({ min: 1, max: 37 }),
  kh: fc.constant(3), kw: fc.constant(3), sh: fc.constant(1), sw: fc.constant(1),
  ph: fc.integer({ min: 0, max: 2 }),
  pw: fc.integer({ min: 0, max: 2 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).filter((s) => s.H + 2 * s.ph >= 3 && s.W + 2 * s.pw >= 3);

// Points 0, -1, 1, 1/2, -2 and infinity.
const BT4 = [[1, -3 / 2, -2, 3 / 2, 1, 0], [0, 1, -5 / 2, 1 / 2, 1, 0], [0, -1, 1 / 2, 5 / 2, 1, 0], [0, -2, -1, 2, 1, 0], [0, 1 / 2, -1, -1 / 2, 1, 0], [0, 1, -3 / 2, -2, 3 / 2, 1]];
const G4 = [[1, 0, 0], [-1 / 3, 1 / 3, -1 / 3], [1 / 3, 1 / 3, 1 / 3], [-16 / 15, -8 / 15, -4 / 15], [1 / 15, -2 / 15, 4 / 15], [0, 0, 1]];
const AT4 = [[1, 1, 1, 1, 1, 0], [0, -1, 1, 1 / 2, -2, 0], [0, 1, 1, 1 / 4, 4, 0], [0, -1, 1, 1 / 8, -8, 1]];
/** O channels of an Ho x Wo output (odd sizes drop a tile's second row or column). */
const outTransformArb = fc.record({
  O: fc.integer({ min: 1, max: 9 }),
  Ho: fc.integer({ min: 1, max: 11 }),
  Wo: fc.integer({ min: 1, max: 21 }),
  blocks: fc.constantFrom(8, 16, 0),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).map((s) => ({ ...s, Op: Math.ceil(s.O / 4) * 4, TY: Math.ceil(s.Ho / 2), TX: Math.ceil(s.Wo / 2) }));

/** O channels of an Ho x Wo output (edges cut a tile's last rows or columns). */
const outTransform4Arb = fc.record({
  O: fc.integer({ min: 1, max: 9 }),
  Ho: fc.integer({ min: 1, max: 13 }),
  Wo: fc.integer({ min: 1, max: 41 }),
  blocks: fc.constantFrom(8, 16, 0),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).map((s) => ({ ...s, Op: Math.ceil(s.O / 4) * 4, TY: Math.ceil(s.Ho / 4), TX: Math.ceil(s.Wo / 4) }));

/** One Winograd tile size: its matrices, kernels, the arbitraries of its problems and the seeds of its runs. */
interface WinoTile {
  /** outputs per tile side; a transform tile is (m + 2) x (m + 2) */
  m: 2 | 4;
  BT: number[][];
  AT: number[][];
  G: number[][];
  /**
   * Whether G g G^T is exact in float64 (F(2x2): halves), so the filter transform must give its
   * f32 rounding bit for bit; otherwise (F(4x4): thirds, fifteenths) within half an ulp of it.
   */
  filterExact: boolean;
  names: { filter: string; input: [string, string]; output: [string, string]; driver: [string, string] };
  filter(mod: Mod): (w: number, K: number, M: number, transpose: number, U: number) => void;
  input(mod: Mod, simd: boolean): (P: number, cBegin: number, cEnd: number, C: number, Hq: number, Wq: number, TX: number, t0: number, n: number, Tb: number, V: number) => void;
  output(mod: Mod, simd: boolean): (Om: number, oBegin: number, oEnd: number, Op: number, Tb: number, TX: number, t0: number, n: number, Ho: number, Wo: number, out: number) => void;
  driver(mod: Mod, simd: boolean): (P: number, I: number, Hq: number, Wq: number, TX: number, tBegin: number, tEnd: number, Tb: number, U: number,
    oBegin: number, oEnd: number, Op: number, V: number, Om: number, Ho: number, Wo: number, out: number) => void;
  layerArb: fc.Arbitrary<Parameters<typeof geo>[0]>;
  outArb: typeof outTransformArb;
  /** fast-check seeds of the scalar and SIMD runs: input transform, output transform, driver */
  seeds: { input: [number, number]; output: [number, number]; driver: [number, number] };
}

const WINO_2X2: WinoTile = {
  m: 2, BT, AT, G, filterExact: true,
  names: {
    filter: 'f32_winograd_2x2_3x3_filter_transform_scalar',
    input: ['f32_winograd_2x2_3x3_input_transform_scalar', 'f32_winograd_2x2_3x3_input_transform_4x_simd'],
    output: ['f32_winograd_2x2_3x3_output_transform_scalar', 'f32_winograd_2x2_3x3_output_transform_4x_simd'],
    driver: ['f32_conv2d_winograd_2x2_3x3_scalar', 'f32_conv2d_winograd_2x2_3x3_simd'],
  },
  filter: (mod) => mod.k.f32_winograd_2x2_3x3_filter_transform_scalar,
  input: (mod, simd) => (simd ? mod.s.f32_winograd_2x2_3x3_input_transform_4x_simd : mod.k.f32_winograd_2x2_3x3_input_transform_scalar),
  output: (mod, simd) => (simd ? mod.s.f32_winograd_2x2_3x3_output_transform_4x_simd : mod.k.f32_winograd_2x2_3x3_output_transform_scalar),
  driver: (mod, simd) => (simd ? mod.s.f32_conv2d_winograd_2x2_3x3_simd : mod.k.f32_conv2d_winograd_2x2_3x3_scalar),
  layerArb: winogradArb,
  outArb: outTransformArb,
  seeds: { input: [21, 22], output: [25, 26], driver: [10, 10] },
};

const WINO_4X4: WinoTile = {
  m: 4, BT: BT4, AT: AT4, G: G4, filterExact: false,
  names: {
    filter: 'f32_winograd_4x4_3x3_filter_transform_scalar',
    input: ['f32_winograd_4x4_3x3_input_transform_scalar', 'f32_winograd_4x4_3x3_input_transform_4x_simd'],
    output: ['f32_winograd_4x4_3x3_output_transform_scalar', 'f32_winograd_4x4_3x3_output_transform_4x_simd'],
    driver: ['f32_conv2d_winograd_4x4_3x3_scalar', 'f32_conv2d_winograd_4x4_3x3_simd'],
  },
  filter: (mod) => mod.k.f32_winograd_4x4_3x3_filter_transform_scalar,
  input: (mod, simd) => (simd ? mod.s.f32_winograd_4x4_3x3_input_transform_4x_simd : mod.k.f32_winograd_4x4_3x3_input_transform_scalar),
  output: (mod, simd) => (simd ? mod.s.f32_winograd_4x4_3x3_output_transform_4x_simd : mod.k.f32_winograd_4x4_3x3_output_transform_scalar),
  driver: (mod, simd) => (simd ? mod.s.f32_conv2d_winograd_4x4_3x3_simd : mod.k.f32_conv2d_winograd_4x4_3x3_scalar),
  layerArb: winograd4Arb,
  outArb: outTransform4Arb,
  seeds: { input: [31, 32], output: [35, 36], driver: [37, 38] },
};

/**
 * The blocked driver of a tile size (scalar or SIMD) with blocks of Tb tiles (0: all tiles in one),
 * called once per range of tiles between the cuts (as threads split them), or once for all.
 */
function winograd(mod: Mod, tile: WinoTile, g: Geo, c: WinoChain, input: Float32Array, w: Float32Array, simd: boolean, Tb0: number,
  cuts: readonly number[] = [], channelCut?: number): Float32Array {
  const { m } = tile;
  const planes = (m + 2) ** 2;
  const TY = Math.ceil(c.Ho / m), TX = Math.ceil(c.Wo / m), T = TY * TX;
  const Tb = Tb0 || Math.ceil(T / 8) * 8, Hq = m * TY + 2, Wq = m * TX + 2, Op = Math.ceil(c.O / 4) * 4;
  return withBufs(mod, (b) => {
    const U = b.f32(planes * Op * c.I);
    tile.filter(mod)(b.f32(w), g.K, g.M, c.transpose, U);
    const P = b.f32(padJs(input, c.I, c.h, c.wd, Hq, Wq, c.py, c.px));
    const V = b.f32(planes * planeFloats(c.I, Tb)), Om = b.f32(planes * planeFloats(Op, Tb)), out = b.f32(c.O * c.Ho * c.Wo);
    const oBands = bandsBetween(0, c.O, channelCut === undefined ? [] : [channelCut]);
    for (const [t0, t1] of bandsBetween(0, T, cuts)) {
      for (const [o0, o1] of oBands) tile.driver(mod, simd)(P, c.I, Hq, Wq, TX, t0, t1, Tb, U, o0, o1, Op, V, Om, c.Ho, c.Wo, out);
    }
    return b.readF32(out, c.O * c.Ho * c.Wo);
  });
}

/** The input transform of channels [0, C): in one call, or two split at channel `cut`. */
function inputTransform(mod: Mod, tile: WinoTile, simd: boolean, Pin: Float32Array, C: number, Hq: number, Wq: number, TX: number, t0: number, n: number, Tb: number,
  cut?: number): Float32Array {
  const planes = (tile.m + 2) ** 2;
  return withBufs(mod, (b) => {
    const V = b.f32(planes * planeFloats(C, Tb));
    const P = b.f32(Pin);
    for (const [c0, c1] of bandsBetween(0, C, cut === undefined ? [] : [cut])) tile.input(mod, simd)(P, c0, c1, C, Hq, Wq, TX, t0, n, Tb, V);
    return b.readF32(V, planes * planeFloats(C, Tb));
  });
}

/** The output transform of channels [0, O): in one call, or two split at channel `cut`. */
function outputTransform(mod: Mod, tile: WinoTile, simd: boolean, Om: Float32Array, O: number, Op: number, Tb: number, TX: number, t0: number, n: number, Ho: number, Wo: number,
  cut?: number): Float32Array {
  return withBufs(mod, (b) => {
    const out = b.f32(O * Ho * Wo);
    const om = b.f32(Om);
    for (const [o0, o1] of bandsBetween(0, O, cut === undefined ? [] : [cut])) tile.output(mod, simd)(om, o0, o1, Op, Tb, TX, t0, n, Ho, Wo, out);
    return b.readF32(out, O * Ho * Wo);
  });
}

/**
 * The cases of a tile size's input transform, output transform and driver: each scalar kernel
 * against float64 (and, for the driver, blocks of 8 tiles against one block), each SIMD kernel
 * against its scalar reference bit for bit.
 */
function winogradTileCases(tile: WinoTile): Record<string, KernelCase> {
  const { m, BT: bt, AT: at } = tile;
  const n6 = m + 2;
  const span = [...Array(n6).keys()];
  const planes = n6 * n6;
  const blockInput = (s: { C: number; TY: number; TX: number; extraW: number; blocks: number; seed: number }) => {
    const Hq = m * s.TY + 2, Wq = m * s.TX + 2 + s.extraW, T = s.TY * s.TX;
    return { Hq, Wq, T, Tb: s.blocks || Math.ceil(T / 8) * 8, Pin: randomArray(s.C * Hq * Wq, s.seed) };
  };
  return {
    [tile.names.filter](mod: Mod) {
      for (const [K, M] of [[1, 1], [3, 5], [8, 2], [6, 7]] as const) {
        const w = randomArray(K * M * 9, K * 10 + M);
        for (const transpose of [0, 1]) {
          const [O, I] = transpose ? [M, K] : [K, M];
          const Op = Math.ceil(O / 4) * 4;
          const got = withBufs(mod, (b) => {
            const U = b.f32(planes * Op * I);
            tile.filter(mod)(b.f32(w), K, M, transpose, U);
            return b.readF32(U, planes * Op * I);
          });
          // G g G^T in float64; the kernel rounds each value to f32 once.
          const want = new Float64Array(planes * Op * I);
          for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) {
            const g = [0, 1, 2].map((a) => [0, 1, 2].map((c) => transpose
              ? w[((i * M + o) * 3 + 2 - a) * 3 + 2 - c]!
              : w[((o * M + i) * 3 + a) * 3 + c]!));
            const u = matmul(matmul(tile.G, g), transposeMat(tile.G));
            for (let xi = 0; xi < planes; xi++) want[((xi * (Op >> 2) + (o >> 2)) * I + i) * 4 + (o & 3)] = u[Math.floor(xi / n6)]![xi % n6]!;
          }
          const where = `K ${K} M ${M} transpose ${transpose}`;
          if (tile.filterExact) bits(got, Float32Array.from(want), where);
          else {
            for (let j = 0; j < want.length; j++) {
              assert.ok(Math.abs(got[j]! - want[j]!) <= Math.abs(want[j]!) * 2 ** -24, `${where}: U[${j}] ${got[j]} vs ${want[j]}`);
            }
          }
          mod.record(got);
        }
      }
    },
    [tile.names.input[0]](mod: Mod) {
      fc.assert(fc.property(winoBlockArb, (s) => {
        const { C, TX } = s;
        const { Hq, Wq, T, Tb, Pin } = blockInput(s);
        for (const [t0, n] of blocksOf(T, Tb)) {
          const V = inputTransform(mod, tile, false, Pin, C, Hq, Wq, TX, t0, n, Tb);
          const nPad = Math.ceil(n / 8) * 8;
          const want: number[] = [], got: number[] = [];
          for (let c = 0; c < C; c++) for (let j = 0; j < Tb; j++) {
            const t = t0 + j, ty = Math.floor(t / TX), tx = t % TX;
            const d = j < n ? span.map((r) => span.map((q) => Pin[(c * Hq + m * ty + r) * Wq + m * tx + q]!)) : undefined;
            const v = d && matmul(matmul(bt, d), transposeMat(bt));
            for (let xi = 0; xi < planes; xi++) {
              const a = xi * planeFloats(C, Tb) + c * Tb + j;
              if (v) {
                want.push(v[Math.floor(xi / n6)]![xi % n6]!);
                got.push(V[a]!);
              } else if (j < nPad) assert.ok(Object.is(V[a], 0), `${JSON.stringify(s)}: column ${j} not zeroed`);
              else assert.ok(Number.isNaN(V[a]), `${JSON.stringify(s)}: column ${j} past the group of 8 written`);
            }
          }
          near(got, want, 1e-5, `${JSON.stringify(s)} block ${t0}: vs float64`);
          const cut = s.seed % (C + 1);
          bits(inputTransform(mod, tile, false, Pin, C, Hq, Wq, TX, t0, n, Tb, cut), V, `${JSON.stringify(s)} block ${t0}, channels cut at ${cut}`);
          mod.record(V);
        }
      }), { numRuns: 40, seed: tile.seeds.input[0] });
    },
    [tile.names.input[1]](mod: Mod) {
      fc.assert(fc.property(winoBlockArb, (s) => {
        const { Hq, Wq, T, Tb, Pin } = blockInput(s);
        for (const [t0, n] of blocksOf(T, Tb)) {
          const want = inputTransform(mod, tile, false, Pin, s.C, Hq, Wq, s.TX, t0, n, Tb);
          bits(inputTransform(mod, tile, true, Pin, s.C, Hq, Wq, s.TX, t0, n, Tb), want, `${JSON.stringify(s)} block ${t0}`);
          // split by channels (as threads split a block): each call writes only its channels' rows
          const cut = s.seed % (s.C + 1);
          bits(inputTransform(mod, tile, true, Pin, s.C, Hq, Wq, s.TX, t0, n, Tb, cut), want, `${JSON.stringify(s)} block ${t0}, channels cut at ${cut}`);
        }
      }), { numRuns: 150, seed: tile.seeds.input[1] });
    },
    [tile.names.output[0]](mod: Mod) {
      fc.assert(fc.property(tile.outArb, (s) => {
        const { O, Op, TY, TX, Ho, Wo } = s;
        const T = TY * TX, Tb = s.blocks || Math.ceil(T / 8) * 8;
        for (const [t0, n] of blocksOf(T, Tb)) {
          const Om = randomArray(planes * planeFloats(Op, Tb), s.seed + t0);
          const out = outputTransform(mod, tile, false, Om, O, Op, Tb, TX, t0, n, Ho, Wo);
          const want: number[] = [], got: number[] = [];
          for (let o = 0; o < O; o++) for (let y = 0; y < Ho; y++) for (let x = 0; x < Wo; x++) {
            const t = Math.floor(y / m) * TX + Math.floor(x / m);
            const a = (o * Ho + y) * Wo + x;
            if (t < t0 || t >= t0 + n) {
              assert.ok(Number.isNaN(out[a]), `${JSON.stringify(s)}: output of a tile outside the block written`);
              continue;
            }
            const mt = span.map((r) => span.map((c) => Om[(n6 * r + c) * planeFloats(Op, Tb) + o * Tb + t - t0]!));
            want.push(matmul(matmul(at, mt), transposeMat(at))[y % m]![x % m]!);
            got.push(out[a]!);
          }
          near(got, want, 1e-5, `${JSON.stringify(s)} block ${t0}: vs float64`);
          mod.record(out);
        }
      }), { numRuns: 40, seed: tile.seeds.output[0] });
    },
    [tile.names.output[1]](mod: Mod) {
      fc.assert(fc.property(tile.outArb, (s) => {
        const { O, Op, TY, TX, Ho, Wo } = s;
        const T = TY * TX, Tb = s.blocks || Math.ceil(T / 8) * 8;
        for (const [t0, n] of blocksOf(T, Tb)) {
          const Om = randomArray(planes * planeFloats(Op, Tb), s.seed + t0);
          const whole = outputTransform(mod, tile, false, Om, O, Op, Tb, TX, t0, n, Ho, Wo);
          bits(outputTransform(mod, tile, true, Om, O, Op, Tb, TX, t0, n, Ho, Wo), whole, `${JSON.stringify(s)} block ${t0}`);
          const cut = s.seed % (O + 1);
          bits(outputTransform(mod, tile, true, Om, O, Op, Tb, TX, t0, n, Ho, Wo, cut), whole, `${JSON.stringify(s)} block ${t0}, channels split at ${cut}`);
        }
      }), { numRuns: 150, seed: tile.seeds.output[1] });
    },
    [tile.names.driver[0]](mod: Mod) {
      fc.assert(fc.property(tile.layerArb, (s) => {
        const g = geo(s);
        const w = weightsOf(g), x = randomArray(g.M * g.H * g.W, s.seed + 1), z = randomArray(g.K * g.P, s.seed + 2);
        const y = winograd(mod, tile, g, winoChain(g, false), x, w, false, 0);
        near(y, convReference(x, w, g), 1e-5, `${JSON.stringify(s)}: forward vs float64`);
        bits(winograd(mod, tile, g, winoChain(g, false), x, w, false, 8), y, `${JSON.stringify(s)}: blocks of 8 tiles vs one block`);
        const T = Math.ceil(g.Ho / tile.m) * Math.ceil(g.Wo / tile.m);
        const cuts = [Math.floor(T / 3), Math.floor(T / 2) + 1];
        bits(winograd(mod, tile, g, winoChain(g, false), x, w, false, 0, cuts), y, `${JSON.stringify(s)}: tiles split at ${cuts} vs one call`);
        const ocut = 4 * Math.floor(g.K / 8);
        bits(winograd(mod, tile, g, winoChain(g, false), x, w, false, 0, [], ocut), y, `${JSON.stringify(s)}: channels split at ${ocut} vs one call`);
        const xt = winograd(mod, tile, g, winoChain(g, true), z, w, false, 0);
        near(xt, transposeReference(z, w, g), 1e-5, `${JSON.stringify(s)}: transpose vs float64`);
        mod.record(y);
        mod.record(xt);
      }), { numRuns: 50, seed: tile.seeds.driver[0] });
    },
    [tile.names.driver[1]](mod: Mod) {
      fc.assert(fc.property(tile.layerArb, (s) => {
        const g = geo(s);
        const w = weightsOf(g), x = randomArray(g.M * g.H * g.W, s.seed + 1), z = randomArray(g.K * g.P, s.seed + 2);
        for (const Tb of [8, 0]) {
          for (const [transpose, input] of [[false, x], [true, z]] as const) {
            const c = winoChain(g, transpose);
            const whole = winograd(mod, tile, g, c, input, w, false, Tb);
            bits(winograd(mod, tile, g, c, input, w, true, Tb), whole, `${JSON.stringify(s)} transpose ${transpose} Tb ${Tb}`);
            const T = Math.ceil(c.Ho / tile.m) * Math.ceil(c.Wo / tile.m), cuts = [Math.ceil(T / 2)];
            bits(winograd(mod, tile, g, c, input, w, true, Tb, cuts), whole, `${JSON.stringify(s)} transpose ${transpose} Tb ${Tb} split at ${cuts}`);
            const ocut = 4 * Math.floor(c.O / 8);
            bits(winograd(mod, tile, g, c, input, w, true, Tb, [], ocut), whole, `${JSON.stringify(s)} transpose ${transpose} Tb ${Tb}, channels split at ${ocut}`);
          }
        }
      }), { numRuns: 150, seed: tile.seeds.driver[1] });
    },
  };
}

// ---- random bits: the documented generator, in BigInt ----

const MASK64 = (1n << 64n) - 1n;
const PHI = 0x9E3779B97F4A7C15n;
const STREAM_MULT = 0xD1B54A32D192ED03n;

function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK64;
  return z ^ (z >> 31n);
}

function streamKeyJs(seedLo: number, seedHi: number, stream: number): bigint {
  const seed = (BigInt(seedHi >>> 0) << 32n) | BigInt(seedLo >>> 0);
  return mix64(mix64((seed + PHI) & MASK64) ^ ((BigInt(stream >>> 0) + 1n) * STREAM_MULT & MASK64));
}

function draw64Js(key: bigint, counter: number | bigint): bigint {
  return mix64((key + ((BigInt(counter) + 1n) * PHI & MASK64)) & MASK64);
}

// ---- the cases ----

export const KERNEL_CASES: Record<string, KernelCase> = {
  // -- blas --
  f32_waxpy_scalar(m) {
    for (const n of LENGTHS) {
      const x = randomArray(n, n + 1), y = randomArray(n, n + 2);
      for (const a of [0.75, -3.5e-3, 0]) {
        const [got, yAfter] = withBufs(m, (b) => {
          const py = b.f32(y), pw = b.f32(n);
          m.k.f32_waxpy_scalar(a, b.f32(x), py, pw, n);
          return [b.readF32(pw, n), b.readF32(py, n)];
        });
        bits(got, Float32Array.from(y, (v, i) => f(v + f(f(a) * x[i]!))), `n ${n}, a ${a}`);
        bits(yAfter, y, `n ${n}: y is left as it was`);
        // w = y: y += a x (the facade's axpy)
        const inPlace = withBufs(m, (b) => {
          const py = b.f32(y);
          m.k.f32_waxpy_scalar(a, b.f32(x), py, py, n);
          return b.readF32(py, n);
        });
        bits(inPlace, got, `n ${n}, a ${a}, in place`);
        m.record(got);
      }
    }
  },
  f32_waxpy_simd(m) {
    for (const n of LENGTHS) {
      const x = randomArray(n, n + 1), y = randomArray(n, n + 2);
      const [s, r, inPlace] = withBufs(m, (b) => {
        const px = b.f32(x), py = b.f32(y), p1 = b.f32(n), p2 = b.f32(n), p3 = b.f32(y);
        m.s.f32_waxpy_simd(0.75, px, py, p1, n);
        m.k.f32_waxpy_scalar(0.75, px, py, p2, n);
        m.s.f32_waxpy_simd(0.75, px, p3, p3, n); // w = y: an axpy
        return [b.readF32(p1, n), b.readF32(p2, n), b.readF32(p3, n)];
      });
      bits(s, r, `n ${n}`);
      bits(inPlace, r, `n ${n}, in place`);
    }
  },
  f32_scal_scalar(m) {
    for (const n of LENGTHS) {
      const x = randomArray(n, n + 3);
      const got = withBufs(m, (b) => {
        const px = b.f32(x);
        m.k.f32_scal_scalar(-2.5, px, n);
        return b.readF32(px, n);
      });
      bits(got, Float32Array.from(x, (v) => f(v * -2.5)), `n ${n}`);
      m.record(got);
    }
  },
  f32_scal_simd(m) {
    for (const n of LENGTHS) {
      const x = randomArray(n, n + 3);
      const [s, r] = withBufs(m, (b) => {
        const p1 = b.f32(x), p2 = b.f32(x);
        m.s.f32_scal_simd(f(1 / 3), p1, n);
        m.k.f32_scal_scalar(f(1 / 3), p2, n);
        return [b.readF32(p1, n), b.readF32(p2, n)];
      });
      bits(s, r, `n ${n}`);
    }
  },
  f32_dot_scalar(m) {
    for (const n of LENGTHS) {
      const x = randomArray(n, n + 11), y = randomArray(n, n + 12);
      const got = withBufs(m, (b) => m.k.f32_dot_scalar(b.f32(x), b.f32(y), n));
      // The same float64 products and sums in the same order: the same number.
      assert.equal(got, dot64(x, y), `n ${n}`);
      m.record(got);
    }
  },
  f32_dot_simd(m) {
    for (const n of LENGTHS) {
      const x = randomArray(n, n + 11), y = randomArray(n, n + 12);
      const [s, r] = withBufs(m, (b) => {
        const px = b.f32(x), py = b.f32(y);
        return [m.s.f32_dot_simd(px, py, n), m.k.f32_dot_scalar(px, py, n)];
      });
      const want = dot64(x, y);
      // Two f64x2 partial sums: another order of summation.
      assert.ok(Math.abs(s - want) <= 1e-12 * (1 + Math.abs(want)) * n, `n ${n}: ${s} vs float64 ${want}`);
      assert.ok(Math.abs(s - r) <= 1e-12 * (1 + Math.abs(r)) * n, `n ${n}: ${s} vs scalar ${r}`);
      if (n < 4) assert.equal(s, r, `n ${n}: no vector step, so the scalar loop's sum`);
    }
  },
  f32_sumsq_scalar(m) {
    for (const n of LENGTHS) {
      const x = randomArray(n, n + 13);
      const got = withBufs(m, (b) => m.k.f32_sumsq_scalar(b.f32(x), n));
      assert.equal(got, dot64(x, x), `n ${n}`);
      m.record(got);
    }
  },
  f32_sumsq_simd(m) {
    for (const n of LENGTHS) {
      const x = randomArray(n, n + 13);
      const [s, r] = withBufs(m, (b) => {
        const px = b.f32(x);
        return [m.s.f32_sumsq_simd(px, n), m.k.f32_sumsq_scalar(px, n)];
      });
      const want = dot64(x, x);
      assert.ok(Math.abs(s - want) <= 1e-12 * (1 + want) * n, `n ${n}: ${s} vs float64 ${want}`);
      assert.ok(Math.abs(s - r) <= 1e-12 * (1 + r) * n, `n ${n}: ${s} vs scalar ${r}`);
      if (n < 4) assert.equal(s, r, `n ${n}: no vector step`);
    }
  },
  f32_distsq_scalar(m) {
    for (const n of LENGTHS) {
      const a = randomArray(n, n + 14), c = randomArray(n, n + 15);
      const got = withBufs(m, (b) => m.k.f32_distsq_scalar(b.f32(a), b.f32(c), n));
      let want = 0;
      for (let i = 0; i < n; i++) want += (a[i]! - c[i]!) ** 2;
      assert.equal(got, want, `n ${n}`);
      m.record(got);
    }
  },
  f32_sub_scalar(m) {
    for (const n of LENGTHS) {
      const a = randomArray(n, n + 16), c = randomArray(n, n + 17);
      const got = withBufs(m, (b) => {
        const out = b.f32(n);
        m.k.f32_sub_scalar(b.f32(a), b.f32(c), out, n);
        return b.readF32(out, n);
      });
      bits(got, Float32Array.from(a, (v, i) => f(v - c[i]!)), `n ${n}`);
      m.record(got);
    }
  },
  f32_scatter_add_scalar(m) {
    for (const n of [0, 1, 7, 64]) {
      const dense = randomArray(50, n + 18);
      const r = mulberry32(n + 19);
      // Duplicates included: they add up, in order.
      const idx = Int32Array.from({ length: n }, () => Math.floor(r() * 50));
      const val = randomArray(n, n + 20);
      const got = withBufs(m, (b) => {
        const pd = b.f32(dense);
        m.k.f32_scatter_add_scalar(b.i32(idx), b.f32(val), n, pd);
        return b.readF32(pd, 50);
      });
      const want = dense.slice();
      for (let j = 0; j < n; j++) want[idx[j]!] = f(want[idx[j]!]! + val[j]!);
      bits(got, want, `n ${n}`);
      m.record(got);
    }
  },
  f32_scatter_zero_scalar(m) {
    for (const n of [0, 1, 7, 64]) {
      const dense = randomArray(50, n + 21);
      const r = mulberry32(n + 22);
      const idx = Int32Array.from({ length: n }, () => Math.floor(r() * 50));
      const got = withBufs(m, (b) => {
        const pd = b.f32(dense);
        m.k.f32_scatter_zero_scalar(b.i32(idx), n, pd);
        return b.readF32(pd, 50);
      });
      const want = dense.slice();
      for (const i of idx) want[i] = 0;
      bits(got, want, `n ${n}`);
      m.record(got);
    }
  },
  f32_scatter_scalar(m) {
    for (const n of [0, 1, 7, 40]) {
      const dense = randomArray(50, n + 45);
      const r = mulberry32(n + 46);
      // distinct positions, in any order (a support)
      const idx = Int32Array.from([...Array(50).keys()].sort(() => r() - 0.5).slice(0, n));
      const val = randomArray(n, n + 47);
      const got = withBufs(m, (b) => {
        const pd = b.f32(dense);
        m.k.f32_scatter_scalar(b.i32(idx), b.f32(val), n, pd);
        return b.readF32(pd, 50);
      });
      const want = dense.slice();
      idx.forEach((i, j) => (want[i] = val[j]!));
      bits(got, want, `n ${n}`);
      m.record(got);
    }
  },
  f32_fista_update_scalar(m) {
    for (const n of [0, 1, 5, 100]) {
      const y = randomArray(n, n + 23), g = randomArray(n, n + 24), z = randomArray(n, n + 25);
      const mask = Float32Array.from(randomArray(n, n + 26), (v) => (v > 0 ? 1 : 0));
      for (const withMask of [false, true]) {
        const [step, thresh, beta] = [f(0.7), f(0.2), f(0.35)];
        const [gy, gz] = withBufs(m, (b) => {
          const py = b.f32(y), pz = b.f32(z);
          m.k.f32_fista_update_scalar(py, b.f32(g), pz, withMask ? b.f32(mask) : 0, n, step, thresh, beta);
          return [b.readF32(py, n), b.readF32(pz, n)];
        });
        const wy = new Float32Array(n), wz = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const v = f(y[i]! - f(step * g[i]!));
          let zn = v > thresh ? f(v - thresh) : v < -thresh ? f(v + thresh) : 0;
          if (withMask && mask[i] === 0) zn = 0;
          wz[i] = zn;
          wy[i] = f(zn + f(beta * f(zn - z[i]!)));
        }
        bits(gy, wy, `n ${n} y`);
        bits(gz, wz, `n ${n} z`);
        m.record(gy);
        m.record(gz);
      }
    }
  },
  f32_first_nonfinite_scalar(m) {
    firstInvalid(m, false, false);
  },
  f32_first_nonfinite_simd(m) {
    firstInvalid(m, false, true);
  },
  i32_first_outside_scalar(m) {
    firstInvalid(m, true, false);
  },
  i32_first_outside_simd(m) {
    firstInvalid(m, true, true);
  },

  // -- conv: layouts --
  f32_pad2d_chw_scalar(m) {
    // the last two: borders of more than 16 floats between rows and around the plane
    for (const [M, H, W, pt, pb, pl, pr] of [[1, 1, 1, 0, 0, 0, 0], [3, 5, 7, 1, 2, 0, 3], [2, 4, 1, 3, 0, 2, 2], [2, 6, 40, 1, 5, 9, 12], [3, 3, 20, 0, 0, 17, 0]] as const) {
      const Hp = H + pt + pb, Wp = W + pl + pr;
      const x = randomArray(M * H * W, M + H + W);
      const got = withBufs(m, (b) => {
        const xp = b.f32(M * Hp * Wp); // NaN: every element must be written
        m.k.f32_pad2d_chw_scalar(b.f32(x), xp, M, H, W, Hp, Wp, pt, pl);
        return b.readF32(xp, M * Hp * Wp);
      });
      bits(got, padJs(x, M, H, W, Hp, Wp, pt, pl), `${M}x${H}x${W}`);
      m.record(got);
    }
  },
  f32_crop2d_chw_scalar(m) {
    for (const [M, H, W, pt, pb, pl, pr] of [[1, 1, 1, 0, 0, 0, 0], [3, 5, 7, 1, 2, 0, 3], [2, 4, 1, 3, 0, 2, 2]] as const) {
      const Hp = H + pt + pb, Wp = W + pl + pr;
      const xp = randomArray(M * Hp * Wp, M + H + W);
      const got = withBufs(m, (b) => {
        const x = b.f32(M * H * W);
        m.k.f32_crop2d_chw_scalar(b.f32(xp), x, M, H, W, Hp, Wp, pt, pl);
        return b.readF32(x, M * H * W);
      });
      bits(got, cropChwJs(xp, M, H, W, Hp, Wp, pt, pl), `${M}x${H}x${W}`);
      m.record(got);
    }
  },
  f32_crop2d_hwc_to_chw_scalar(m) {
    fc.assert(fc.property(cropArb, (s) => {
      const Hp = s.H + s.pt + s.pb, Wp = s.W + s.pl + s.pr, C = s.M + s.extra;
      const xc = randomArray(Hp * Wp * C, s.seed);
      const got = cropHwc(m, false, xc, s.M, C, s.H, s.W, Wp, s.pt, s.pl);
      bits(got, cropHwcJs(xc, C, s.H, s.W, Wp, s.pt, s.pl, s.M), JSON.stringify(s));
      m.record(got);
    }), { numRuns: 60, seed: 14 });
  },
  f32_crop2d_hwc_to_chw_4x4_simd(m) {
    fc.assert(fc.property(cropArb, (s) => {
      const Hp = s.H + s.pt + s.pb, Wp = s.W + s.pl + s.pr, C = s.M + s.extra;
      const xc = randomArray(Hp * Wp * C, s.seed);
      bits(cropHwc(m, true, xc, s.M, C, s.H, s.W, Wp, s.pt, s.pl), cropHwc(m, false, xc, s.M, C, s.H, s.W, Wp, s.pt, s.pl), JSON.stringify(s));
    }), { numRuns: 200, seed: 14 });
  },

  // -- conv: packings and offset tables (index formulas) --
  f32_pack_conv2d_8_scalar(m) {
    for (const [K, taps] of [[1, 1], [7, 5], [8, 9], [9, 27], [17, 4]] as const) {
      const w = randomArray(K * taps, K + taps);
      const blocks = Math.ceil(K / 8);
      const got = withBufs(m, (b) => {
        const p = b.f32(blocks * taps * 8);
        m.k.f32_pack_conv2d_8_scalar(b.f32(w), K, taps, p);
        return b.readF32(p, blocks * taps * 8);
      });
      const want = new Float32Array(blocks * taps * 8);
      for (let k = 0; k < K; k++) for (let t = 0; t < taps; t++) want[((k >> 3) * taps + t) * 8 + (k & 7)] = w[k * taps + t]!;
      bits(got, want, `K ${K}, taps ${taps}`);
      m.record(got);
    }
  },
  f32_pack_conv2d_3_scalar(m) {
    for (const [K, M, kh, kw] of [[1, 1, 1, 1], [2, 3, 2, 3], [6, 4, 3, 3], [7, 2, 1, 5]] as const) {
      const w = randomArray(K * M * kh * kw, K + M + kh);
      for (const transpose of [0, 1]) {
        const [O, C] = transpose ? [M, K] : [K, M];
        const taps = C * kh * kw;
        const n = Math.ceil(O / 3) * 3 * taps;
        const got = withBufs(m, (b) => {
          const p = b.f32(n);
          m.k.f32_pack_conv2d_3_scalar(b.f32(w), K, M, kh, kw, transpose, p);
          return b.readF32(p, n);
        });
        const want = new Float32Array(n);
        for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
          const t = (c * kh + ky) * kw + kx;
          want[(Math.floor(o / 3) * taps + t) * 3 + (o % 3)] = transpose
            ? w[((c * M + o) * kh + kh - 1 - ky) * kw + kw - 1 - kx]!
            : w[((o * M + c) * kh + ky) * kw + kx]!;
        }
        bits(got, want, `K ${K} M ${M} ${kh}x${kw} transpose ${transpose}`);
        m.record(got);
      }
    }
  },
  f32_pack_conv2d_hwc_scalar(m) {
    for (const [K, M, kh, kw] of [[1, 1, 1, 1], [2, 3, 2, 3], [5, 4, 3, 1]] as const) {
      const w = randomArray(K * M * kh * kw, K + M + kh);
      const n = K * M * kh * kw;
      const got = withBufs(m, (b) => {
        const p = b.f32(n);
        m.k.f32_pack_conv2d_hwc_scalar(b.f32(w), K, M, kh, kw, p);
        return b.readF32(p, n);
      });
      bits(got, hwcJs(w, K, M, kh, kw), `K ${K} M ${M} ${kh}x${kw}`);
      m.record(got);
    }
  },
  f32_pack_conv2d_transpose_8_scalar(m) {
    packTranspose(m, 8);
  },
  f32_pack_conv2d_transpose_c4_scalar(m) {
    for (const [K, M] of [[1, 1], [3, 3], [7, 4], [2, 2]] as const) {
      const w = randomArray(K * M * 9, K + M);
      const n = K * 9 * 4;
      const got = withBufs(m, (b) => {
        const p = b.f32(n);
        b.f32(new Float32Array(n).fill(NaN)); // the lanes past M must be written, not left as found
        m.k.f32_pack_conv2d_transpose_c4_scalar(b.f32(w), K, M, 3, 3, p);
        return b.readF32(p, n);
      });
      bits(got, c4Js(w, K, M, 3, 3), `K ${K} M ${M}`);
      m.record(got);
    }
  },
  f32_pack_conv2d_transpose_24_scalar(m) {
    packTranspose(m, 24);
  },
  f32_pack_conv2d_transpose_32_scalar(m) {
    packTranspose(m, 32);
  },
  i32_conv2d_tap_offsets_scalar(m) {
    for (const [M, kh, kw, Hp, Wp] of [[1, 1, 1, 1, 1], [3, 2, 3, 5, 7], [2, 3, 1, 4, 9]] as const) {
      const n = M * kh * kw;
      const got = withBufs(m, (b) => {
        const p = b.i32(n);
        m.k.i32_conv2d_tap_offsets_scalar(M, kh, kw, Hp, Wp, p);
        return b.readI32(p, n);
      });
      const want: number[] = [];
      for (let c = 0; c < M; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) want.push(4 * ((c * Hp + ky) * Wp + kx));
      i32Equal(got, want, `M ${M} ${kh}x${kw} in ${Hp}x${Wp}`);
      m.record(got);
    }
  },
  i32_conv2d_transpose_offsets_scalar(m) {
    for (const [M, kh, kw, Wp, Lpad] of [[1, 1, 1, 1, 8], [3, 3, 3, 7, 32], [5, 2, 3, 9, 48], [2, 3, 2, 4, 12]] as const) {
      const got = withBufs(m, (b) => {
        const p = b.i32(Lpad);
        m.k.i32_conv2d_transpose_offsets_scalar(M, kh, kw, Wp, p, Lpad);
        return b.readI32(p, Lpad);
      });
      const want = Array.from({ length: Lpad }, () => -1);
      for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) for (let c = 0; c < M; c++) {
        want[(ky * kw + kx) * M + c] = (ky * Wp + kx) * M + c;
      }
      i32Equal(got, want, `M ${M} ${kh}x${kw} Wp ${Wp} Lpad ${Lpad}`);
      m.record(got);
    }
  },
  i32_sparse_code_count_scalar(m) {
    for (const { K, P, kbShift, idx } of regroupInputs()) {
      const buckets = (((K - 1) >> kbShift) + 1) * P;
      const j0 = idx.length >> 2, j1 = idx.length - (idx.length >> 3);
      const [got, flag] = withBufs(m, (b) => {
        const pc = b.i32(buckets), pf = b.i32(1);
        m.k.i32_sparse_code_count_scalar(b.i32(idx), j0, j1, P, kbShift, buckets, pc, pf);
        return [b.readI32(pc, buckets), b.readI32(pf, 1)[0]!] as const;
      });
      const want = new Int32Array(buckets);
      for (const flat of idx.slice(j0, j1)) want[(Math.floor(flat / P) >> kbShift) * P + (flat % P)]!++;
      i32Equal(got, want, `K ${K} P ${P} kbShift ${kbShift}, entries [${j0}, ${j1})`);
      const run = idx.slice(j0, j1);
      assert.equal(flag, run.every((v, j) => j === 0 || run[j - 1]! <= v) ? 1 : 0, 'whether the entries ascend');
      m.record(got);
      m.record(flag);
    }
  },
  i32_sparse_code_offsets_scalar(m) {
    for (const [parts, buckets] of [[1, 1], [1, 9], [2, 7], [3, 40]] as const) {
      const counts = Int32Array.from(randomArray(parts * buckets, parts + buckets), (v) => Math.floor(Math.abs(v) * 5));
      const [cursors, rowStart] = withBufs(m, (b) => {
        const pc = b.i32(counts), pr = b.i32(buckets + 1);
        m.k.i32_sparse_code_offsets_scalar(pc, parts, buckets, pr);
        return [b.readI32(pc, parts * buckets), b.readI32(pr, buckets + 1)];
      });
      const total = (bk: number) => Array.from({ length: parts }, (_, t) => counts[t * buckets + bk]!).reduce((x, y) => x + y, 0);
      const wantStart = Array.from({ length: buckets + 1 }, (_, bk) => Array.from({ length: bk }, (_, c) => total(c)).reduce((x, y) => x + y, 0));
      i32Equal(rowStart, wantStart, `${parts} ranges, ${buckets} buckets: starts`);
      const wantCursors = Array.from({ length: parts * buckets }, (_, i) => {
        const t = Math.floor(i / buckets), bk = i % buckets;
        return wantStart[bk]! + Array.from({ length: t }, (_, u) => counts[u * buckets + bk]!).reduce((x, y) => x + y, 0);
      });
      i32Equal(cursors, wantCursors, `${parts} ranges, ${buckets} buckets: cursors`);
      m.record(rowStart);
      m.record(cursors);
    }
  },
  i32_sparse_code_place_ascending_scalar(m) {
    // A support with pixels past one tile of 1024 and several blocks of filters (and one with
    // repeated indices), placed by 1-3 ranges of pixels: the pairs of the entry-order placement.
    for (const [K, P, kbShift, density, repeats] of [[6, 2500, 1, 0.3, false], [3, 1500, 30, 0.9, false], [40, 37, 3, 0.2, false], [4, 1100, 30, 0.3, true]] as const) {
      const r = mulberry32(K * P);
      // repeats: some indices twice in a row (non-decreasing, as a caller may pass; they add up)
      const idx = [...Array(K * P).keys()].filter(() => r() < density).flatMap((i) => (repeats && r() < 0.2 ? [i, i] : [i]));
      const val = randomArray(idx.length, K + P);
      const buckets = (((K - 1) >> kbShift) + 1) * P;
      const place = (parts: number, byEntries: boolean) => withBufs(m, (b) => {
        const pr = b.i32(buckets + 1), pkv = b.raw(idx.length * 8);
        regroupByKernels(m, b, b.i32(idx), b.f32(val), idx.length, P, buckets, kbShift, 128, pr, pkv, parts, K, byEntries);
        return b.readI32(pkv, idx.length * 2);
      });
      const byEntries = place(1, true);
      const byPixels = [1, 2, 3].map((parts) => place(parts, false));
      byPixels.forEach((kv, i) => i32Equal(kv, byEntries, `K ${K} P ${P} kbShift ${kbShift}: ${i + 1} ranges of pixels`));
      m.record(byPixels[0]!);
    }
  },
  i32_sparse_code_place_scalar(m) {
    // The whole regrouping as the sparse path composes it, its passes over the entries (or, for an
    // ascending code, the pixels) in 1 to 3 ranges as threads split them, and an ascending code
    // placed by entries too: a stable counting sort whatever the split.
    for (const { K, P, kbShift, idx, z, order } of regroupInputs()) {
      for (const rowBytes of [96, 128]) {
        const val = Float32Array.from(idx, (i) => z[i]!);
        const buckets = (((K - 1) >> kbShift) + 1) * P;
        const entries = idx.map((flat, j) => ({ b: ((Math.floor(flat / P)) >> kbShift) * P + (flat % P), k: Math.floor(flat / P), j }));
        const sorted = [...entries].sort((a, c) => a.b - c.b || a.j - c.j);
        const vbits = new Int32Array(val.buffer);
        const wantKv = sorted.flatMap((e) => [e.k * rowBytes, vbits[e.j]!]);
        const wantRs = Array.from({ length: buckets + 1 }, (_, bk) => entries.filter((e) => e.b < bk).length);
        for (const [parts, byEntries] of [[1, false], [2, false], [3, false], [2, true]] as const) {
          const [rs, kv] = withBufs(m, (b) => {
            const pr = b.i32(buckets + 1), pkv = b.raw(idx.length * 8);
            regroupByKernels(m, b, b.i32(idx), b.f32(val), idx.length, P, buckets, kbShift, rowBytes, pr, pkv, parts, K, byEntries);
            return [b.readI32(pr, buckets + 1), b.readI32(pkv, idx.length * 2)];
          });
          const where = `K ${K} P ${P} kbShift ${kbShift} ${order}, ${parts} ranges${byEntries ? ', placed by entries' : ''}`;
          i32Equal(rs, wantRs, `${where}: rowStart`);
          i32Equal(kv, wantKv, `${where}: pairs`);
          m.record(rs);
          m.record(kv);
        }
      }
    }
  },

  // -- conv: forward --
  f32_conv2d_scalar(m) {
    fc.assert(fc.property(shapeArb, (s) => {
      const g = geo(s);
      const w = weightsOf(g), x = randomArray(g.M * g.H * g.W, s.seed + 1);
      const y = convScalar(m, g, x, w);
      near(y, convReference(x, w, g), 1e-5, `${JSON.stringify(s)}: vs float64`);
      m.record(y);
    }), { numRuns: 60, seed: 7 });
  },
  f32_conv2d_4x8_simd(m) {
    fc.assert(fc.property(shapeArb, (s) => {
      const g = geo(s);
      const w = weightsOf(g), x = randomArray(g.M * g.H * g.W, s.seed + 1);
      const y = conv4x8(m, g, x, w);
      // Each lane sums the same products in the same order as the reference.
      bits(y, convScalar(m, g, x, w), JSON.stringify(s));
      near(y, convReference(x, w, g), 1e-5, `${JSON.stringify(s)}: vs float64`);
    }), { numRuns: 120, seed: 7 });
  },
  f32_conv2d_s1_3x8_simd(m) {
    fc.assert(fc.property(fewChannelsArb, (s) => {
      const g = geo(s);
      const w = weightsOf(g), x = randomArray(g.M * g.H * g.W, s.seed + 1), z = randomArray(g.K * g.P, s.seed + 2);
      const y = conv3x8(m, g, x, w, false);
      bits(y, convScalar(m, g, x, w), `${JSON.stringify(s)}: forward`);
      bits(conv3x8(m, g, x, w, false, s.seed % g.Ho), y, `${JSON.stringify(s)}: forward, rows split at ${s.seed % g.Ho}`);
      // As the transpose: the correlation of the padded code with the flipped filters.
      const xt = conv3x8(m, g, z, w, true);
      bits(xt, conv3x8Reference(m, g, z, w), `${JSON.stringify(s)}: transpose`);
      bits(conv3x8(m, g, z, w, true, s.seed % g.H), xt, `${JSON.stringify(s)}: transpose, rows split at ${s.seed % g.H}`);
      near(xt, transposeReference(z, w, g), 1e-5, `${JSON.stringify(s)}: transpose vs float64`);
    }), { numRuns: 150, seed: 12 });
  },

  // -- conv: dense and sparse transpose --
  f32_conv2d_transpose_scalar(m) {
    fc.assert(fc.property(shapeArb, (s) => {
      const g = geo(s);
      const w = weightsOf(g), z = randomArray(g.K * g.P, s.seed + 2);
      for (let i = 0; i < z.length; i += 3) z[i] = 0; // zeros are skipped
      const xt = transposeScalar(m, g, z, w);
      near(xt, transposeReference(z, w, g), 1e-5, `${JSON.stringify(s)}: vs float64`);
      m.record(xt);
    }), { numRuns: 60, seed: 8 });
  },
  f32_conv2d_transpose_4x8_simd(m) {
    fc.assert(fc.property(shapeArb, (s) => {
      const g = geo(s);
      const w = weightsOf(g), z = randomArray(g.K * g.P, s.seed + 2);
      const xt = transpose4x8(m, g, z, w);
      near(xt, transposeScalar(m, g, z, w), 1e-5, JSON.stringify(s));
      near(xt, transposeReference(z, w, g), 1e-5, `${JSON.stringify(s)}: vs float64`);
      const cuts = [g.pt + 1 + (s.seed % Math.max(1, g.H)), g.pt + g.H - 1];
      bits(transpose4x8(m, g, z, w, cuts), xt, `${JSON.stringify(s)}: rows in bands cut at ${cuts} vs one call`);
    }), { numRuns: 120, seed: 8 });
  },
  f32_conv2d_transpose_sparse_scalar(m) {
    fc.assert(fc.property(shapeArb, fc.double({ min: 0.01, max: 1, noNaN: true }), (s, density) => {
      const g = geo(s);
      const w = weightsOf(g), z = randomArray(g.K * g.P, s.seed + 3);
      const idx = Int32Array.from([...z.keys()].filter((i) => Math.abs(z[i]!) < density));
      const val = Float32Array.from(idx, (i) => z[i]!);
      const code = new Float32Array(z.length);
      for (const i of idx) code[i] = z[i]!;
      const xs = sparseScalar(m, g, idx, val, w);
      near(xs, transposeReference(code, w, g), 1e-5, `${JSON.stringify(s)}: vs float64`);
      // In ascending order the pairs reach every output as the dense scalar kernel's entries do.
      bits(xs, transposeScalar(m, g, code, w), `${JSON.stringify(s)}: vs the dense scalar kernel`);
      m.record(xs);
    }), { numRuns: 60, seed: 9 });
  },
  f32_conv2d_transpose_sparse_axpy16_simd(m) {
    const check = (g: Geo, what: string, idx: Int32Array, val: Float32Array, w: Float32Array) => {
      const got = sparseAxpy16(m, g, idx, val, w);
      // Every output receives the pairs' products in the pairs' order, as in the reference.
      bits(got, sparseScalar(m, g, idx, val, w), `${JSON.stringify(g)} ${what}`);
      if (idx.length === 0) assert.ok(got.every((v) => v === 0), `${what}: not all zero`);
      const cuts = [1, Math.floor(g.Hp / 2), g.Hp - 1];
      bits(sparseAxpy16(m, g, idx, val, w, cuts), got, `${JSON.stringify(g)} ${what}: rows in bands cut at ${cuts}`);
    };
    for (const s of SPARSE_SHAPES) {
      const g = geo(s);
      for (const [what, idx, val] of sparseCodes(g, s.seed + 40)) check(g, what, idx, val, weightsOf(g));
    }
    fc.assert(fc.property(shapeArb, fc.double({ min: 0.01, max: 1, noNaN: true }), fc.boolean(), (s, density, reversed) => {
      const g = geo(s);
      check(g, `density ${density}`, ...randomCode(g, s.seed + 3, density, reversed), weightsOf(g));
    }), { numRuns: 100, seed: 9 });
  },
  f32_conv2d_transpose_sparse_3x3c4_simd(m) {
    const check = (g: Geo, what: string, idx: Int32Array, val: Float32Array, w: Float32Array) => {
      const got = sparseC4(m, g, idx, val, w);
      // Every output receives the pairs' products in the pairs' order, as in the reference.
      bits(got, sparseScalar(m, g, idx, val, w), `${JSON.stringify(g)} ${what}`);
      if (idx.length === 0) assert.ok(got.every((v) => v === 0), `${what}: not all zero`);
      for (const cuts of [[1, Math.floor(g.Hp / 2), g.Hp - 1], [2 + (g.seed % 3)]]) {
        bits(sparseC4(m, g, idx, val, w, cuts), got, `${JSON.stringify(g)} ${what}: rows in bands cut at ${cuts}`);
      }
    };
    for (const s of SPARSE_C4_SHAPES) {
      const g = geo(s);
      for (const [what, idx, val] of sparseCodes(g, s.seed + 40)) {
        check(g, what, idx, val, weightsOf(g));
        // ascending but for one neighbouring pair (inside the four-at-a-time check, and last): the band search must not be used
        for (const at of [6, idx.length - 1]) {
          if (at < 1 || at >= idx.length) continue;
          const [i2, v2] = [idx.slice(), val.slice()];
          [i2[at - 1], i2[at]] = [i2[at]!, i2[at - 1]!];
          [v2[at - 1], v2[at]] = [v2[at]!, v2[at - 1]!];
          check(g, `${what}, entries ${at - 1} and ${at} swapped`, i2, v2, weightsOf(g));
        }
      }
    }
    fc.assert(fc.property(c4Arb, fc.double({ min: 0.01, max: 1, noNaN: true }), fc.boolean(), (s, density, reversed) => {
      const g = geo(s);
      check(g, `density ${density}${reversed ? ', descending' : ''}`, ...randomCode(g, s.seed + 3, density, reversed), weightsOf(g));
    }), { numRuns: 120, seed: 19 });
  },
  f32_conv2d_transpose_sparse_1x24_kblock_simd(m) {
    // (kbShift, groups per pixel): one block, blocks of 1, 2 and 8 filters, 1 to 16 groups and a clamped 40.
    sparseGemmCase(m, 24, [[30, 1], [0, 1], [1, 3], [3, 2], [30, 16], [2, 40]]);
  },
  f32_conv2d_transpose_sparse_1x32_simd(m) {
    sparseGemmCase(m, 32, [[30, 1], [0, 1], [3, 1]]);
  },

  // -- conv: Winograd F(2x2, 3x3) --
  f32_winograd_gemm_scalar(m) {
    fc.assert(fc.property(gemmArb, (s) => {
      const { I, Op, Tb, Tn, planes } = s;
      const U = randomArray(planes * Op * I, s.seed), V = randomArray(planes * planeFloats(I, Tb), s.seed + 1);
      const O = gemm(m, false, U, V, s);
      const cut = 4 * (s.seed % (s.Op / 4 + 1));
      bits(gemm(m, false, U, V, s, cut), O, `${JSON.stringify(s)}: channels split at ${cut} vs one call`);
      const want: number[] = [], got: number[] = [];
      for (let xi = 0; xi < planes; xi++) for (let o = 0; o < Op; o++) for (let t = 0; t < Tb; t++) {
        const at = xi * planeFloats(Op, Tb) + o * Tb + t;
        if (t >= Tn) {
          assert.ok(Number.isNaN(O[at]), `${JSON.stringify(s)}: column ${t} past Tn written`);
          continue;
        }
        let acc = 0;
        for (let i = 0; i < I; i++) acc += U[((xi * (Op >> 2) + (o >> 2)) * I + i) * 4 + (o & 3)]! * V[xi * planeFloats(I, Tb) + i * Tb + t]!;
        want.push(acc);
        got.push(O[at]!);
      }
      near(got, want, 1e-5, `${JSON.stringify(s)}: vs float64`);
      m.record(O);
    }), { numRuns: 60, seed: 23 });
  },
  f32_winograd_gemm_4x8_simd(m) {
    fc.assert(fc.property(gemmArb, (s) => {
      const U = randomArray(s.planes * s.Op * s.I, s.seed), V = randomArray(s.planes * planeFloats(s.I, s.Tb), s.seed + 1);
      const whole = gemm(m, false, U, V, s);
      bits(gemm(m, true, U, V, s), whole, JSON.stringify(s));
      const cut = 4 * (s.seed % (s.Op / 4 + 1));
      bits(gemm(m, true, U, V, s, cut), whole, `${JSON.stringify(s)}: channels split at ${cut}`);
    }), { numRuns: 200, seed: 24 });
  },
  ...winogradTileCases(WINO_2X2),

  // -- conv: Winograd F(4x4, 3x3) --
  ...winogradTileCases(WINO_4X4),

  // -- project --
  f32_block_max_scalar(m) {
    fc.assert(fc.property(blockMaxArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), (s, ph, pw) => {
      const h = blockMaxInput(s);
      const got = blockMax(m, false, h, s.K, s.Ho, s.Wo, ph, pw, s.relu);
      const want = blockMaxJs(h, s.K, s.Ho, s.Wo, ph, pw, s.relu);
      const where = `${JSON.stringify(s)} ${ph}x${pw}`;
      bits(got.val, want.val, `${where}: values`);
      bits(got.mag, want.mag, `${where}: magnitudes`);
      i32Equal(got.idx, want.idx, `${where}: winners`);
      // of h + mu g, computed as read: those of the vector written out first
      const g = randomArray(h.length, s.seed + 1), mu = f(-0.37);
      const fused = blockMax(m, false, h, s.K, s.Ho, s.Wo, ph, pw, s.relu, g, mu);
      const sum = blockMaxJs(Float32Array.from(h, (v, i) => f(v + f(mu * g[i]!))), s.K, s.Ho, s.Wo, ph, pw, s.relu);
      bits(fused.val, sum.val, `${where}, h + mu g: values`);
      i32Equal(fused.idx, sum.idx, `${where}, h + mu g: winners`);
      m.record(got.val);
      m.record(got.mag);
      m.record(got.idx);
      m.record(fused.val);
      m.record(fused.idx);
    }), { numRuns: 150, seed: 13 });
  },
  f32_block_max_2x2_4x_simd(m) {
    fc.assert(fc.property(blockMaxArb, (s) => {
      const h = blockMaxInput(s);
      const a = blockMax(m, true, h, s.K, s.Ho, s.Wo, 2, 2, s.relu);
      const r = blockMax(m, false, h, s.K, s.Ho, s.Wo, 2, 2, s.relu);
      bits(a.val, r.val, `${JSON.stringify(s)}: values`);
      bits(a.mag, r.mag, `${JSON.stringify(s)}: magnitudes`);
      i32Equal(a.idx, r.idx, `${JSON.stringify(s)}: winners`);
      const g = randomArray(h.length, s.seed + 1), mu = f(1.75);
      const af = blockMax(m, true, h, s.K, s.Ho, s.Wo, 2, 2, s.relu, g, mu);
      const rf = blockMax(m, false, h, s.K, s.Ho, s.Wo, 2, 2, s.relu, g, mu);
      bits(af.val, rf.val, `${JSON.stringify(s)}, h + mu g: values`);
      bits(af.mag, rf.mag, `${JSON.stringify(s)}, h + mu g: magnitudes`);
      i32Equal(af.idx, rf.idx, `${JSON.stringify(s)}, h + mu g: winners`);
    }), { numRuns: 300, seed: 13 });
  },
  u32_top_k_histogram_scalar(m) {
    fc.assert(fc.property(magsArb, fc.nat(), fc.nat(), ([mag], x, y) => {
      const [begin, end] = [Math.min(x, y) % (mag.length + 1), Math.max(x, y) % (mag.length + 1)].sort((p, q) => p - q) as [number, number];
      const got = withBufs(m, (b) => {
        const h = b.raw(4096 * 4);
        m.k.u32_top_k_histogram_scalar(b.f32(mag), begin, end, h);
        return b.readI32(h, 4096);
      });
      const want = new Int32Array(4096);
      const u = new Uint32Array(mag.buffer, mag.byteOffset, mag.length);
      for (let i = begin; i < end; i++) want[u[i]! >>> 20]!++;
      i32Equal(got, want, `blocks [${begin}, ${end}) of ${mag.length}`);
      m.record(got);
    }), { numRuns: 100, seed: 33 });
  },
  u32_top_k_candidates_scalar(m) {
    fc.assert(fc.property(magsArb, fc.nat(), ([mag], pick) => {
      const u = new Uint32Array(mag.buffer, mag.byteOffset, mag.length);
      const bucket = mag.length > 0 ? u[pick % mag.length]! >>> 20 : 0;
      const begin = mag.length >> 2;
      const [n, got] = withBufs(m, (b) => {
        const out = b.i32(mag.length);
        const c = m.k.u32_top_k_candidates_scalar(b.f32(mag), begin, mag.length, bucket, out);
        return [c, b.readI32(out, c)] as const;
      });
      i32Equal(got, [...u.keys()].filter((i) => i >= begin && u[i]! >>> 20 === bucket), `bucket ${bucket}`);
      m.record(n);
      m.record(got);
    }), { numRuns: 100, seed: 34 });
  },
  u32_top_k_narrow_scalar(m) {
    // The candidates of one bucket (those of the k-th largest magnitude), any number of them taken.
    fc.assert(fc.property(magsArb, ([mag, k]) => {
      if (mag.length === 0 || k <= 0 || k >= mag.length) return;
      const u = new Uint32Array(mag.buffer, mag.byteOffset, mag.length);
      const order = [...u.keys()].sort((a, c) => mag[c]! - mag[a]! || a - c);
      const kth = order[k - 1]!;
      const bucket = u[kth]! >>> 20;
      const cand = [...u.keys()].filter((i) => u[i]! >>> 20 === bucket);
      const need = k - order.filter((i) => u[i]! >>> 20 > bucket).length;
      const got = withBufs(m, (b) => {
        const out = b.raw(8);
        m.k.u32_top_k_narrow_scalar(b.f32(mag), b.i32(cand), cand.length, need, b.raw(1024 * 4), out);
        return b.readI32(out, 2);
      });
      assert.equal(got[0]! >>> 0, u[kth], `k ${k}: the threshold is the k-th largest magnitude`);
      assert.equal(got[1], order.slice(0, k).filter((i) => u[i] === u[kth]).reduce((a, c) => Math.max(a, c), -1), `k ${k}: the last tie taken`);
      m.record(got);
    }), { numRuns: 200, seed: 35 });
  },
  u32_top_k_select_scalar(m) {
    // The whole selection as the projector composes it (src/projection.ts topK), the passes over
    // the blocks in 1, 2 or 3 ranges as threads split them, against a sort.
    fc.assert(fc.property(magsArb, fc.integer({ min: 1, max: 3 }), ([mag, k], parts) => {
      const got = topKByKernels(m, mag, k, parts);
      // The k largest, ties to the lowest index, listed in ascending index order.
      const want = [...mag.keys()].sort((a, c) => mag[c]! - mag[a]! || a - c).slice(0, Math.max(0, k)).sort((a, c) => a - c);
      i32Equal(got, want, `B ${mag.length} k ${k} in ${parts} ranges`);
      m.record(got);
    }), { numRuns: 300, seed: 31 });
  },
  f32_block_scatter_scalar(m) {
    // Winners anywhere in their blocks (ceil-mode edges, 1-D maps, global pooling), any ascending
    // subset selected: the code, and the support sorted without a sort.
    const shapes: Array<[K: number, Ho: number, Wo: number, ph: number, pw: number]> = [
      [1, 1, 4, 1, 1], [2, 5, 7, 2, 2], [3, 6, 9, 3, 2], [2, 7, 5, 7, 5], [1, 1, 23, 1, 4], [4, 9, 11, 2, 3], [2, 4, 4, 4, 1],
    ];
    for (const [K, Ho, Wo, ph, pw] of shapes) {
      const Bh = Math.ceil(Ho / ph), Bw = Math.ceil(Wo / pw), B = K * Bh * Bw, n = K * Ho * Wo;
      for (const keep of [0, 0.3, 1]) {
        const r = mulberry32(B * 7 + Math.round(keep * 10) + ph);
        const blockIdx = new Int32Array(B);
        for (let b = 0; b < B; b++) {
          const k = Math.floor(b / (Bh * Bw)), by = Math.floor(b / Bw) % Bh, bx = b % Bw;
          const y = by * ph + Math.floor(r() * Math.min(ph, Ho - by * ph)), x = bx * pw + Math.floor(r() * Math.min(pw, Wo - bx * pw));
          blockIdx[b] = (k * Ho + y) * Wo + x;
        }
        const blockVal = randomArray(B, B + ph);
        const sel = Int32Array.from([...Array(B).keys()].filter(() => r() < keep));
        const [z, support, values, support2, values2] = withBufs(m, (b) => {
          const pz = b.f32(n), ps = b.i32(Math.max(sel.length, 1)), pv = b.f32(Math.max(sel.length, 1));
          const psel = b.i32(sel), pval = b.f32(blockVal), pidx = b.i32(blockIdx);
          m.k.f32_block_scatter_scalar(psel, sel.length, pval, pidx, pz, n, ps, pv, Ho, Wo, ph, pw);
          const out = [b.readF32(pz, n), b.readI32(ps, sel.length), b.readF32(pv, sel.length)] as const;
          // no dense code (z = 0), and no values (values = 0): the support is the same
          const ps2 = b.i32(Math.max(sel.length, 1)), pv2 = b.f32(Math.max(sel.length, 1));
          m.k.f32_block_scatter_scalar(psel, sel.length, pval, pidx, 0, n, ps2, pv2, Ho, Wo, ph, pw);
          const ps3 = b.i32(Math.max(sel.length, 1));
          m.k.f32_block_scatter_scalar(psel, sel.length, pval, pidx, 0, n, ps3, 0, Ho, Wo, ph, pw);
          i32Equal(b.readI32(ps3, sel.length), out[1], 'the support without values');
          return [...out, b.readI32(ps2, sel.length), b.readF32(pv2, sel.length)] as const;
        });
        const wz = new Float32Array(n);
        for (const bk of sel) wz[blockIdx[bk]!] = blockVal[bk]!;
        const where = `${K}x${Ho}x${Wo} in ${ph}x${pw} blocks, ${sel.length} of ${B} kept`;
        bits(z, wz, `${where}: code`);
        const wantSupport = Array.from(sel, (bk) => blockIdx[bk]!).sort((a, c) => a - c);
        i32Equal(support, wantSupport, `${where}: support`);
        bits(values, Float32Array.from(wantSupport, (i) => wz[i]!), `${where}: values in support order`);
        i32Equal(support2, wantSupport, `${where}: support, without a dense code`);
        bits(values2, values, `${where}: values, without a dense code`);
        m.record(z);
        m.record(support);
        m.record(values);
      }
    }
  },
  i32_support_change_scalar(m) {
    // Two codes on ascending supports of a length-60 vector (overlapping, nested, disjoint, equal,
    // empty), the second projected from b = z + mu g; the index space in chunks of 8, split into
    // 1 to 3 ranges of whole chunks as threads split it.
    fc.assert(fc.property(fc.integer({ min: 1, max: 1 << 30 }), fc.constantFrom(0, 0.1, 0.5, 0.9), fc.constantFrom(0, 0.1, 0.5, 0.9), fc.boolean(), fc.integer({ min: 1, max: 3 }),
      (seed, p1, p2, same, parts) => {
        const r = mulberry32(seed);
        const n = 60, shift = 3, chunks = Math.ceil(n / 8);
        const s1 = [...Array(n).keys()].filter(() => r() < p1);
        const s2 = same ? s1.slice() : [...Array(n).keys()].filter(() => r() < p2);
        const v1 = randomArray(s1.length, seed + 1), v2 = randomArray(s2.length, seed + 2), g = randomArray(n, seed + 3), mu = f(0.6);
        const zd = new Float32Array(n);
        s1.forEach((i, j) => (zd[i] = v1[j]!));
        const bv = Float32Array.from(zd, (v, i) => f(v + f(mu * g[i]!))); // b = z + mu g
        const [delta, deltaVal, dist] = withBufs(m, (b) => {
          const pDelta = b.i32(n * 2), pDeltaVal = b.f32(n * 2), pDist = b.raw(chunks * 8), pChanges = b.raw(4);
          const [p1s, p1v, p2s, p2v, pz, pg] = [b.i32(s1), b.f32(v1), b.i32(s2), b.f32(v2), b.f32(zd), b.f32(g)];
          const idx: number[] = [], vals: number[] = [];
          for (const [c0, c1] of splitRange(chunks, parts)) {
            const lo = c0 * 8, hi = Math.min(n, c1 * 8);
            const i0 = s1.filter((i) => i < lo).length, i1 = s1.filter((i) => i < hi).length;
            const j0 = s2.filter((i) => i < lo).length, j1 = s2.filter((i) => i < hi).length;
            m.k.i32_support_change_scalar(p1s, p1v, i0, i1, p2s, p2v, j0, j1, pz, pg, mu, lo, hi, shift, pDelta, pDeltaVal, pDist, pChanges);
            const d = b.readI32(pChanges, 1)[0]!;
            idx.push(...b.readI32(pDelta, d));
            vals.push(...b.readF32(pDeltaVal, d));
          }
          return [idx, Float32Array.from(vals), new Float64Array(m.e.f32(pDist, chunks * 2).slice().buffer)] as const;
        });
        // each chunk's sum, in index order, over the dense codes
        const z2 = new Float32Array(n);
        s2.forEach((i, j) => (z2[i] = v2[j]!));
        const want = new Float64Array(chunks);
        for (let i = 0; i < n; i++) want[i >> shift]! += (z2[i]! - zd[i]!) ** 2;
        assert.deepEqual(Array.from(dist), Array.from(want), 'the squared distance of each chunk, bit for bit');
        const changes = [...Array(n).keys()].filter((i) => s1.includes(i) !== s2.includes(i));
        i32Equal(delta, changes, 'the changed entries, ascending');
        bits(deltaVal, Float32Array.from(changes, (i) => (s2.includes(i) ? bv[i]! : -bv[i]!)), 'their values: b entering, -b leaving');
        m.record(Int32Array.from(delta));
        m.record(deltaVal);
        m.record(new Float32Array(dist.buffer));
      }), { numRuns: 300, seed: 36 });
  },
  f32_gather_scalar(m) {
    for (const count of [0, 1, 9, 50]) {
      const z = randomArray(60, count + 40);
      const r = mulberry32(count + 41);
      const support = Int32Array.from({ length: count }, () => Math.floor(r() * 60));
      const got = withBufs(m, (b) => {
        const out = b.f32(count);
        m.k.f32_gather_scalar(b.f32(z), b.i32(support), count, out);
        return b.readF32(out, count);
      });
      bits(got, Float32Array.from(support, (i) => z[i]!), `count ${count}`);
      m.record(got);
    }
  },
  f32_unpool_scalar(m) {
    for (const [K, Ho, Wo, ph, pw] of [[1, 1, 1, 1, 1], [2, 5, 7, 2, 2], [3, 4, 6, 4, 3]] as const) {
      const n = K * Ho * Wo;
      const first = blockFirstJs(K, Ho, Wo, ph, pw);
      const pooled = randomArray(first.length, n);
      const got = withBufs(m, (b) => {
        const out = b.f32(n);
        m.k.f32_unpool_scalar(b.f32(pooled), b.i32(first), first.length, out, n);
        return b.readF32(out, n);
      });
      const want = new Float32Array(n);
      first.forEach((i, bk) => { want[i] = pooled[bk]!; });
      bits(got, want, `${K}x${Ho}x${Wo} pool ${ph}x${pw}`);
      m.record(got);
    }
  },
  i32_block_first_scalar(m) {
    for (const [K, Ho, Wo, ph, pw] of [[1, 1, 1, 1, 1], [2, 5, 7, 2, 2], [3, 4, 6, 4, 3], [1, 9, 2, 9, 2]] as const) {
      const B = K * Math.ceil(Ho / ph) * Math.ceil(Wo / pw);
      const got = withBufs(m, (b) => {
        const out = b.i32(B);
        m.k.i32_block_first_scalar(K, Ho, Wo, ph, pw, out);
        return b.readI32(out, B);
      });
      i32Equal(got, blockFirstJs(K, Ho, Wo, ph, pw), `${K}x${Ho}x${Wo} pool ${ph}x${pw}`);
      m.record(got);
    }
  },

  // -- random --
  u64_draws_scalar(m) {
    for (const [seedLo, seedHi, stream, start, count] of [[0, 0, 0, 0, 5], [12345, 7, 3, 1000, 17], [0xffffffff, 0xffffffff, 0xffffffff, 2 ** 52, 3]] as const) {
      const got = withBufs(m, (b) => {
        const out = b.raw(count * 8);
        m.k.u64_draws_scalar(seedLo, seedHi, stream, start, count, out);
        return new BigUint64Array(m.e.abi.memory.buffer, out, count).slice();
      });
      const key = streamKeyJs(seedLo, seedHi, stream);
      assert.deepEqual(Array.from(got), Array.from({ length: count }, (_, i) => draw64Js(key, BigInt(start) + BigInt(i))), `seed ${seedLo}/${seedHi} stream ${stream} start ${start}`);
      m.record(got);
    }
  },
  f32_rand_uniform_scalar(m) {
    const narrowHi = f(1 + 2 ** -23 * 2);
    for (const [lo, hi, start, count] of [[-1, 1, 0, 100], [0, 1, 5, 33], [f(-3.5), f(7.25), 2 ** 40, 20], [1, narrowHi, 0, 400], [-narrowHi, -1, 0, 400]] as const) {
      const got = withBufs(m, (b) => {
        const out = b.f32(count);
        m.k.f32_rand_uniform_scalar(99, 1, 4, start, count, lo, hi, out);
        return b.readF32(out, count);
      });
      const key = streamKeyJs(99, 1, 4);
      const width = f(hi - lo);
      // The largest float below hi, where lo + width u would round up to hi.
      const below = new Float32Array(new Int32Array([new Int32Array(Float32Array.of(hi).buffer)[0]! + (hi > 0 ? -1 : 1)]).buffer)[0]!;
      const want = Float32Array.from({ length: count }, (_, i) => {
        const u = Number(draw64Js(key, BigInt(start) + BigInt(i)) >> 40n) * 2 ** -24;
        return Math.min(f(lo + f(width * u)), below);
      });
      bits(got, want, `[${lo}, ${hi}) start ${start}`);
      assert.ok(got.every((v) => v >= lo && v < hi), `[${lo}, ${hi}): a draw outside`);
      m.record(got);
    }
  },
  f32_randn_boxmuller_scalar(m) {
    for (const [start, count] of [[0, 64], [1, 7], [2 ** 40 + 1, 40]] as const) {
      const got = withBufs(m, (b) => {
        const out = b.f32(count);
        m.k.f32_randn_boxmuller_scalar(2024, 0, 9, start, count, out);
        return b.readF32(out, count);
      });
      const key = streamKeyJs(2024, 0, 9);
      for (let i = 0; i < count; i++) {
        const c = start + i;
        const bitsOf = draw64Js(key, Math.floor(c / 2));
        // u1 is formed in f32 ((a + 1/2) rounds for a >= 2^23); u2 is exact.
        const u1 = f(Number(bitsOf >> 40n) + 0.5) * 2 ** -24;
        const u2 = Number((bitsOf >> 8n) & 0xffffffn) * 2 ** -24;
        const r = Math.sqrt(-2 * Math.log(u1));
        const want = r * (c % 2 === 0 ? Math.cos(2 * Math.PI * u2) : Math.sin(2 * Math.PI * u2));
        // f32 polynomials for ln, sin and cos: a few ulps of r (at most 2.2e-7 r over 2e5 draws).
        assert.ok(Math.abs(got[i]! - want) <= 1e-6 * Math.max(r, 1e-3), `draw ${c}: ${got[i]} vs Box-Muller ${want}`);
      }
      m.record(got);
    }
  },
  f32_randn_boxmuller_simd(m) {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 }),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }), (start, count, seedLo, stream) => {
        const [a, r] = randnBoth(m, seedLo, stream, start, count);
        bits(a, r, `start ${start} count ${count}`);
      }), { numRuns: 300, seed: 10 });
    // Every split of a short slice between the scalar head, the 16-normal SIMD steps and the
    // scalar tail, also at counters past 2^52 (the u64 arithmetic of the vector counters).
    for (const start of [0, 1, 2, 3, 2 ** 52, 2 ** 52 + 1]) {
      for (let count = 0; count <= 64; count++) {
        const [a, r] = randnBoth(m, 99, 3, start, count);
        bits(a, r, `start ${start} count ${count}`);
      }
    }
  },
  i32_sample_model_sparse_scalar(m) {
    for (const [K, Ho, Wo, ph, pw, k, values, start] of [
      [1, 1, 1, 1, 1, 1, 0, 0], [2, 5, 7, 2, 2, 6, 0, 3], [3, 4, 6, 4, 3, 2, 1, 100], [4, 9, 9, 3, 3, 36, 2, 2 ** 35], [2, 3, 3, 2, 2, 50, 0, 0],
    ] as const) {
      const B = K * Math.ceil(Ho / ph) * Math.ceil(Wo / pw);
      const [n, idx, val] = withBufs(m, (b) => {
        const pi = b.i32(B), pv = b.f32(B);
        const c = m.k.i32_sample_model_sparse_scalar(5, 6, 7, start, K, Ho, Wo, ph, pw, k, values, pi, pv);
        return [c, b.readI32(pi, c), b.readF32(pv, c)] as const;
      });
      const want = sampleModelSparseJs(streamKeyJs(5, 6, 7), start, K, Ho, Wo, ph, pw, k, values);
      const where = `${K}x${Ho}x${Wo} pool ${ph}x${pw} k ${k} values ${values}`;
      assert.equal(n, Math.min(k, B), `${where}: count`);
      i32Equal(idx, want.idx, `${where}: indices`);
      bits(val, Float32Array.from(want.val), `${where}: values`);
      m.record(n);
      m.record(idx);
      m.record(val);
    }
  },
};

// ---- helpers of the cases above ----

function firstInvalid(m: Mod, indices: boolean, simd: boolean): void {
  for (const n of [0, 1, 5, 15, 16, 17, 33, 100, 1000]) {
    const spots = n === 0 ? [-1] : [-1, 0, n - 1, n >> 1, Math.min(n - 1, 16)];
    for (const at of spots) {
      for (const [badIdx, badVal] of [[-1, NaN], [100, Infinity], [2 ** 31 - 1, -Infinity]] as const) {
        const idx = Int32Array.from({ length: n }, (_, i) => (i * 7) % 100);
        // The largest finite magnitude and a denormal are valid values.
        const val = Float32Array.from({ length: n }, (_, i) => (i % 2 ? -3.4e38 : 1e-45));
        if (at >= 0) {
          idx[at] = badIdx;
          val[at] = badVal;
          if (at + 1 < n) {
            idx[at + 1] = -5;
            val[at + 1] = NaN;
          }
        }
        const want = indices ? idx.findIndex((v) => v < 0 || v >= 100) : val.findIndex((v) => !Number.isFinite(v));
        assert.equal(want, at);
        withBufs(m, (b) => {
          const p = indices ? b.i32(idx) : b.f32(val);
          const got = indices ? m.k.i32_first_outside_scalar(p, n, 100) : m.k.f32_first_nonfinite_scalar(p, n);
          assert.equal(got, want, `n ${n}, bad at ${at}`);
          if (simd) assert.equal(indices ? m.s.i32_first_outside_simd(p, n, 100) : m.s.f32_first_nonfinite_simd(p, n), want, `SIMD, n ${n}, bad at ${at}`);
          else m.record(got);
        });
      }
    }
  }
}

const cropArb = fc.record({
  M: fc.integer({ min: 1, max: 11 }), extra: fc.constantFrom(0, 0, 1, 2, 3), H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 13 }),
  pt: fc.integer({ min: 0, max: 2 }), pb: fc.integer({ min: 0, max: 2 }), pl: fc.integer({ min: 0, max: 2 }), pr: fc.integer({ min: 0, max: 2 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

function cropHwc(m: Mod, simd: boolean, xc: Float32Array, M: number, C: number, H: number, W: number, Wp: number, pt: number, pl: number): Float32Array {
  return withBufs(m, (b) => {
    const x = b.f32(M * H * W);
    (simd ? m.s.f32_crop2d_hwc_to_chw_4x4_simd : m.k.f32_crop2d_hwc_to_chw_scalar)(b.f32(xc), x, M, C, H, W, Wp, pt, pl);
    return b.readF32(x, M * H * W);
  });
}

function packTranspose(m: Mod, tile: 8 | 24 | 32): void {
  for (const [K, L] of [[1, 1], [3, 27], [5, 24], [7, 33], [2, 100]] as const) {
    const wcl = randomArray(K * L, K * 100 + L);
    const groups = Math.ceil(L / tile);
    const got = withBufs(m, (b) => {
      const p = b.f32(groups * K * tile); // NaN: the padding columns must be zeroed
      const pack = tile === 8 ? m.k.f32_pack_conv2d_transpose_8_scalar : tile === 24 ? m.k.f32_pack_conv2d_transpose_24_scalar : m.k.f32_pack_conv2d_transpose_32_scalar;
      pack(b.f32(wcl), K, L, p);
      return b.readF32(p, groups * K * tile);
    });
    const want = new Float32Array(groups * K * tile);
    for (let k = 0; k < K; k++) for (let c = 0; c < L; c++) want[(Math.floor(c / tile) * K + k) * tile + (c % tile)] = wcl[k * L + c]!;
    bits(got, want, `tile ${tile}, K ${K}, L ${L}`);
    m.record(got);
  }
}

function sparseGemmCase(m: Mod, tile: 24 | 32, configs: Array<[number, number]>): void {
  for (const s of SPARSE_SHAPES) {
    const g = geo(s);
    const w = weightsOf(g);
    for (const [what, idx, val] of sparseCodes(g, s.seed + 50)) {
      const ref = sparseScalar(m, g, idx, val, w);
      for (const [kbShift, gt] of configs) {
        const got = sparseGemm(m, g, idx, val, w, tile, kbShift, gt);
        const where = `${JSON.stringify(s)} ${what}, kbShift ${kbShift}, groups ${gt}`;
        const cuts = [g.pt + 1, Math.floor(g.Hp / 2), g.pt + g.H - 1];
        bits(sparseGemm(m, g, idx, val, w, tile, kbShift, gt, cuts), got, `${where}: rows in bands cut at ${cuts} vs one call`);
        if (idx.length === 0) assert.ok(got.every((v) => v === 0), `${where}: not all zero`);
        // Sums per pixel in registers: another order of summation than the reference.
        near(got, ref, 1e-5, where);
      }
    }
  }
  fc.assert(fc.property(shapeArb, fc.double({ min: 0.01, max: 1, noNaN: true }), fc.boolean(), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 16 }),
    (s, density, reversed, kbShift, gt) => {
      const g = geo(s);
      const w = weightsOf(g);
      const z = randomArray(g.K * g.P, s.seed + 3);
      const list = [...z.keys()].filter((i) => Math.abs(z[i]!) < density);
      // Any order of the pairs is accepted; the regrouping sorts them by pixel.
      if (reversed) list.reverse();
      const idx = Int32Array.from(list), val = Float32Array.from(list, (i) => z[i]!);
      const got = sparseGemm(m, g, idx, val, w, tile, kbShift, gt);
      near(got, sparseScalar(m, g, idx, val, w), 1e-5, `${JSON.stringify(s)} density ${density} kbShift ${kbShift} groups ${gt}`);
      const cut = s.seed % (g.Hp + 1);
      bits(sparseGemm(m, g, idx, val, w, tile, kbShift, gt, [cut]), got, `${JSON.stringify(s)} density ${density}: rows in two bands cut at ${cut}`);
    }), { numRuns: 100, seed: 9 });
}

/** The GEMM over 16 (F(2x2)) or 36 (F(4x4)) planes, Tn any count up to Tb: after groups of 8
 * tiles come a group of 4 and single tiles. */
const gemmArb = fc.record({
  I: fc.integer({ min: 1, max: 13 }),
  Op: fc.integer({ min: 1, max: 9 }).map((q) => q * 4),
  Tb: fc.integer({ min: 1, max: 4 }).map((q) => q * 8),
  cut: fc.integer({ min: 0, max: 31 }),
  planes: fc.constantFrom(16, 36),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
}).map((s) => ({ ...s, Tn: Math.max(1, s.Tb - s.cut) }));

/** The GEMM over all output channels: in one call, or in two split at channel `cut` (a multiple of 4), as two threads split them. */
function gemm(m: Mod, simd: boolean, U: Float32Array, V: Float32Array, s: { I: number; Op: number; Tb: number; Tn: number; planes: number }, cut?: number): Float32Array {
  return withBufs(m, (b) => {
    const O = b.f32(s.planes * planeFloats(s.Op, s.Tb));
    const fn = simd ? m.s.f32_winograd_gemm_4x8_simd : m.k.f32_winograd_gemm_scalar;
    const u = b.f32(U), v = b.f32(V);
    for (const [o0, o1] of bandsBetween(0, s.Op, cut === undefined ? [] : [cut])) fn(u, v, O, s.I, s.Op, o0, o1, s.Tb, s.Tn, s.planes);
    return b.readF32(O, s.planes * planeFloats(s.Op, s.Tb));
  });
}

const blockMaxArb = fc.record({
  K: fc.integer({ min: 1, max: 3 }), Ho: fc.integer({ min: 1, max: 13 }), Wo: fc.integer({ min: 1, max: 21 }),
  relu: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 30 }), specials: fc.boolean(),
});

/** Quantized values make ties common; -0, NaN, infinity and a denormal check the edge semantics. */
function blockMaxInput(s: { K: number; Ho: number; Wo: number; seed: number; specials: boolean }): Float32Array {
  const n = s.K * s.Ho * s.Wo;
  const h = randomArray(n, s.seed);
  for (let i = 0; i < n; i++) h[i] = Math.round(h[i]! * 4) / 4;
  if (s.specials) for (let i = 0; i < n; i += 5) h[i] = [-0, Number.NaN, Number.POSITIVE_INFINITY, -1e-40][(i / 5) % 4]!;
  return h;
}

/**
 * The block maxima of all K maps, in two calls (maps [0, K/2) and [K/2, K)) as two threads split
 * them; of h + mu g when g is given.
 */
function blockMax(m: Mod, simd: boolean, h: Float32Array, K: number, Ho: number, Wo: number, ph: number, pw: number, relu: boolean,
  g?: Float32Array, mu = 0) {
  const B = K * Math.ceil(Ho / ph) * Math.ceil(Wo / pw);
  return withBufs(m, (b) => {
    const pv = b.f32(B), pm = b.f32(B), pi = b.i32(B), ph2 = b.f32(h), pg = g ? b.f32(g) : 0;
    for (const [k0, k1] of [[0, K >> 1], [K >> 1, K]] as const) {
      if (simd) m.s.f32_block_max_2x2_4x_simd(ph2, pg, mu, k0, k1, Ho, Wo, relu ? 1 : 0, pv, pm, pi);
      else m.k.f32_block_max_scalar(ph2, pg, mu, k0, k1, Ho, Wo, ph, pw, relu ? 1 : 0, pv, pm, pi);
    }
    return { val: b.readF32(pv, B), mag: b.readF32(pm, B), idx: b.readI32(pi, B) };
  });
}

/**
 * The documented contract: per block (ceil mode, block order k, by, bx) the entry of largest
 * magnitude (|h|, or max(h, 0) with relu), ties and NaN to the earliest; an all-NaN block keeps
 * its first index, value 0 and magnitude -1.
 */
function blockMaxJs(h: Float32Array, K: number, Ho: number, Wo: number, ph: number, pw: number, relu: boolean) {
  const Bh = Math.ceil(Ho / ph), Bw = Math.ceil(Wo / pw);
  const val: number[] = [], mag: number[] = [], idx: number[] = [];
  for (let k = 0; k < K; k++) for (let by = 0; by < Bh; by++) for (let bx = 0; bx < Bw; bx++) {
    let best = { i: (k * Ho + by * ph) * Wo + bx * pw, mag: -1, val: 0 };
    for (let y = by * ph; y < Math.min(by * ph + ph, Ho); y++) for (let x = bx * pw; x < Math.min(bx * pw + pw, Wo); x++) {
      const i = (k * Ho + y) * Wo + x;
      const v = relu ? Math.max(h[i]!, 0) : h[i]!;
      const a = Math.abs(v);
      if (a > best.mag) best = { i, mag: a, val: v };
    }
    val.push(best.val);
    mag.push(best.mag);
    idx.push(best.i);
  }
  return { val: Float32Array.from(val), mag: Float32Array.from(mag), idx };
}

function blockFirstJs(K: number, Ho: number, Wo: number, ph: number, pw: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < K; k++) for (let y = 0; y < Ho; y += ph) for (let x = 0; x < Wo; x += pw) out.push((k * Ho + y) * Wo + x);
  return out;
}

function randnBoth(m: Mod, seedLo: number, stream: number, start: number, count: number): [Float32Array, Float32Array] {
  return withBufs(m, (b) => {
    const a = b.f32(count), r = b.f32(count);
    m.s.f32_randn_boxmuller_simd(seedLo, 7, stream, start, count, a);
    m.k.f32_randn_boxmuller_scalar(seedLo, 7, stream, start, count, r);
    return [b.readF32(a, count), b.readF32(r, count)];
  });
}

/**
 * The sampler's documented law: selection sampling over the B blocks (draw b, u in [0, 1) from
 * the top 53 bits, take the block when u (B - b) < still needed), then per chosen block a cell
 * (draw B + 2j) and a value (draw B + 2j + 1: U[-1, 1), a sign from bit 0, or the sign times
 * U[0.5, 1), u from the top 24 bits).
 */
function sampleModelSparseJs(key: bigint, start: number, K: number, Ho: number, Wo: number, ph: number, pw: number, k: number, values: number) {
  const Bh = Math.ceil(Ho / ph), Bw = Math.ceil(Wo / pw), B = K * Bh * Bw;
  const draw = (c: number) => draw64Js(key, BigInt(start) + BigInt(c));
  const u53 = (x: bigint) => Number(x >> 11n) * 2 ** -53;
  const blocks: number[] = [];
  for (let b = 0; b < B && blocks.length < k; b++) if (u53(draw(b)) * (B - b) < k - blocks.length) blocks.push(b);
  const idx: number[] = [], val: number[] = [];
  blocks.forEach((b, j) => {
    const fm = Math.floor(b / (Bh * Bw)), by = Math.floor((b % (Bh * Bw)) / Bw), bx = b % Bw;
    const h = Math.min(ph, Ho - by * ph), w = Math.min(pw, Wo - bx * pw);
    const cell = Math.floor(u53(draw(B + 2 * j)) * h * w);
    idx.push((fm * Ho + by * ph + Math.floor(cell / w)) * Wo + bx * pw + (cell % w));
    const x = draw(B + 2 * j + 1);
    const u = Number(x >> 40n) * 2 ** -24;
    const sign = (x & 1n) !== 0n ? 1 : -1;
    val.push(values === 0 ? f(u * 2 - 1) : values === 1 ? sign : f(sign * f(0.5 + f(0.5 * u))));
  });
  return { idx, val };
}
