// The fixed list of cases: what the portable suite times, identical in every runtime. A case is
// one call of one operation on fixed, seeded inputs; its id names the same work in every result
// of the same configuration ('full' or the seconds-long 'tiny' the tests run), so results from
// different runtimes and machines line up by id.

import type { Convcs, ConvOperator } from 'convcs';
import { ceilingFlops, ceilingFunctions, CEILING_CHAINS } from './ceiling.js';
import type { CeilingIsa, CeilingModules } from './ceiling.js';

export type SuiteConfig = 'full' | 'tiny';

/** What a result says about a case besides its timings. */
export interface CaseInfo {
  id: string;
  /** ceiling, conv, sparse, iht, rip, sampling, load: the rows' groups in a table. */
  group: string;
  title: string;
  /** Flops of one call, where a flop count applies (GFLOP/s and % of ceiling follow from it). */
  flops?: number;
  /** A rate in the case's own unit: `per` units per call, reported per second. */
  rate?: { per: number; unit: string };
}

export interface Case extends CaseInfo {
  /** One call. */
  run(): unknown;
  /** True when run() returns a promise to wait for. */
  async?: boolean;
}

/** The convcs namespace, however the runtime imported it (default, browser or workerd entry). */
export interface ConvcsModule {
  load(options?: { backend?: 'auto' | 'simd' | 'scalar'; module?: WebAssembly.Module }): Promise<Convcs>;
}

interface Layer {
  id: string;
  title: string;
  dims: 1 | 2;
  M: number; K: number; k: number; H: number; W: number;
  padding: 'same' | 'valid';
}

/** The layers of bench/run.ts (full), and miniatures of them with the same ids (tiny). */
const LAYERS: Record<SuiteConfig, Layer[]> = {
  full: [
    { id: 'c64-56', title: 'conv2d 64→64, 56×56', dims: 2, M: 64, K: 64, k: 3, H: 56, W: 56, padding: 'same' },
    { id: 'c256-28', title: 'conv2d 256→256, 28×28', dims: 2, M: 256, K: 256, k: 3, H: 28, W: 28, padding: 'same' },
    { id: 'c512-15', title: 'conv2d 512→512, 15×15', dims: 2, M: 512, K: 512, k: 3, H: 15, W: 15, padding: 'same' },
    { id: 'c3-224', title: 'conv2d 3→64, 224×224', dims: 2, M: 3, K: 64, k: 3, H: 224, W: 224, padding: 'same' },
    { id: 'c1d', title: 'conv1d 32→96, l=5, D=32 (paper)', dims: 1, M: 32, K: 96, k: 5, H: 1, W: 32, padding: 'valid' },
  ],
  tiny: [
    { id: 'c64-56', title: 'conv2d 8→8, 10×10 (tiny)', dims: 2, M: 8, K: 8, k: 3, H: 10, W: 10, padding: 'same' },
    { id: 'c256-28', title: 'conv2d 16→16, 6×6 (tiny)', dims: 2, M: 16, K: 16, k: 3, H: 6, W: 6, padding: 'same' },
    { id: 'c512-15', title: 'conv2d 16→16, 5×5 (tiny)', dims: 2, M: 16, K: 16, k: 3, H: 5, W: 5, padding: 'same' },
    { id: 'c3-224', title: 'conv2d 3→8, 16×16 (tiny)', dims: 2, M: 3, K: 8, k: 3, H: 16, W: 16, padding: 'same' },
    { id: 'c1d', title: 'conv1d 4→12, l=5, D=16 (tiny)', dims: 1, M: 4, K: 12, k: 5, H: 1, W: 16, padding: 'valid' },
  ],
};

/** The other sizes of a configuration. */
const SIZES: Record<SuiteConfig, { ceilingN: number; sparseLayers: string[]; ihtLayer: string; ihtIterations: number; ripTrials: number; randn: number }> = {
  full: { ceilingN: 1 << 16, sparseLayers: ['c64-56', 'c512-15'], ihtLayer: 'c64-56', ihtIterations: 5, ripTrials: 200, randn: 1 << 20 },
  tiny: { ceilingN: 1 << 8, sparseLayers: ['c64-56', 'c512-15'], ihtLayer: 'c64-56', ihtIterations: 2, ripTrials: 4, randn: 1 << 10 },
};

function makeLayer(cs: Convcs, L: Layer): ConvOperator {
  const W = L.dims === 1
    ? cs.conv1d({ inChannels: L.M, outChannels: L.K, kernelSize: L.k, length: L.W, padding: L.padding })
    : cs.conv2d({ inChannels: L.M, outChannels: L.K, kernelSize: L.k, height: L.H, width: L.W, padding: L.padding });
  return W.randomize({ seed: 1 });
}

/** `count` distinct indices of [0, n), ascending, drawn from a seeded uniform sample. */
function randomSupport(cs: Convcs, n: number, count: number, seed: number): Int32Array {
  const u = cs.rand(n, { seed });
  const order = Array.from(u.keys()).sort((a, b) => u[a]! - u[b]! || a - b).slice(0, count);
  return Int32Array.from(order).sort();
}

export interface PreparedSuite {
  cases: Case[];
  /** Frees the operators' wasm memory. */
  dispose(): void;
}

/**
 * Build every case on `cs` (the instance whose kernels are timed). `convcs` is needed for the
 * load() case. Inputs are drawn from fixed seeds, so every runtime times the same numbers.
 */
export async function prepareCases(convcs: ConvcsModule, cs: Convcs, config: SuiteConfig, ceilingModules: CeilingModules = {}): Promise<PreparedSuite> {
  const size = SIZES[config];
  const cases: Case[] = [];
  const operators: ConvOperator[] = [];

  for (const isa of ['simd', 'scalar'] as CeilingIsa[]) {
    const fns = await ceilingFunctions(isa, ceilingModules[isa]);
    for (const chains of CEILING_CHAINS[isa]) {
      const fn = fns.get(chains)!;
      const n = size.ceilingN;
      cases.push({
        id: `ceiling.${isa}.${chains}`, group: 'ceiling',
        title: `ceiling: ${isa === 'simd' ? 'f32x4' : 'f32'} mul + add, ${chains} chain${chains > 1 ? 's' : ''}`,
        flops: ceilingFlops(isa, chains, n), run: () => fn(n, 0.5, 0.5),
      });
    }
  }

  const byId = new Map<string, ConvOperator>();
  for (const L of LAYERS[config]) {
    const W = makeLayer(cs, L);
    operators.push(W);
    byId.set(L.id, W);
    const flops = 2 * W.outputSize * W.weightShape.slice(1).reduce((a, b) => a * b, 1);
    const x = cs.randn(W.inputSize, { seed: 2 });
    const h = W.forward(x);
    const outF = new Float32Array(W.outputSize);
    const outT = new Float32Array(W.inputSize);
    cases.push({ id: `conv.${L.id}.forward`, group: 'conv', title: `${L.title}: forward`, flops, run: () => W.forward(x, outF) });
    cases.push({ id: `conv.${L.id}.transpose`, group: 'conv', title: `${L.title}: transpose`, flops, run: () => W.transpose(h, outT) });
    if (size.sparseLayers.includes(L.id)) {
      const taps = W.weightShape.slice(1).reduce((a, b) => a * b, 1);
      // 25%: the layer's own projection (one entry per 2x2 block); 1%: a random support.
      const p = cs.project(h, { shape: W.outputShape, pool: 2, density: 0.25 });
      const val25 = Float32Array.from(p.support, (i) => p.z[i]!);
      const n1 = Math.max(1, Math.round(0.01 * W.outputSize));
      const idx1 = randomSupport(cs, W.outputSize, n1, 7);
      const val1 = cs.randn(n1, { seed: 4 });
      cases.push({
        id: `sparse.${L.id}.25`, group: 'sparse', title: `${L.title}: sparse transpose 25%`, flops: 2 * p.support.length * taps,
        run: () => W.transposeSparse(p.support, val25, outT),
      });
      cases.push({
        id: `sparse.${L.id}.1`, group: 'sparse', title: `${L.title}: sparse transpose 1%`, flops: 2 * n1 * taps,
        run: () => W.transposeSparse(idx1, val1, outT),
      });
    }
  }

  {
    // IHT (unit step, Algorithm 1) and NIHT (normalized step), tolerance 0 so that every call
    // runs all its iterations.
    const W = byId.get(size.ihtLayer)!;
    const title = LAYERS[config].find((l) => l.id === size.ihtLayer)!.title;
    const x = cs.randn(W.inputSize, { seed: 3 });
    const iterations = size.ihtIterations;
    for (const [id, step] of [['iht', 'unit'], ['niht', 'normalized']] as const) {
      const opts = { pool: 2, density: 0.2, iterations, tolerance: 0, step } as const;
      const done = cs.iht(W, x, opts).iterations;
      if (done !== iterations) throw new Error(`${id}: ran ${done} of ${iterations} iterations`);
      cases.push({
        id: `${id}.${size.ihtLayer}`, group: 'iht', title: `${title}: ${id.toUpperCase()}, ${iterations} iterations (pool 2, 20%)`,
        rate: { per: iterations, unit: 'iterations/s' }, run: () => cs.iht(W, x, opts),
      });
    }
  }

  {
    const W = byId.get('c1d')!;
    const opts = { pool: 'global', k: 10, trials: size.ripTrials, seed: 1 } as const;
    cases.push({
      id: 'rip.c1d', group: 'rip', title: `RIP trials, Figure 2 (pool global, k 10, ${size.ripTrials} per call)`,
      rate: { per: size.ripTrials, unit: 'trials/s' }, run: () => cs.rip(W, opts),
    });
  }

  {
    const n = size.randn;
    const out = new Float32Array(n);
    cases.push({
      id: 'sampling.randn', group: 'sampling', title: `randn, ${n.toLocaleString('en-US')} N(0,1) draws into { out }`,
      rate: { per: n / 1e6, unit: 'M samples/s' }, run: () => cs.randn(n, { seed: 1, out }),
    });
  }

  {
    // Warm: the module is compiled already (or imported precompiled, in workerd), so this is
    // instantiation, the memory and the instance's set-up.
    const backend = cs.backend as 'simd' | 'scalar';
    cases.push({ id: 'load.warm', group: 'load', title: 'load(), module already compiled', async: true, run: () => convcs.load({ backend }) });
  }

  return { cases, dispose: () => { for (const W of operators) W.dispose(); } };
}
