// The WebAssembly f32 ceiling of this engine on this machine: a tiny module written as WAT
// (compiled with wabt) whose loop runs C independent chains of c = c * a + b, as f32x4.mul then
// f32x4.add (wasm SIMD has no fused multiply-add outside relaxed-simd), unrolled four times.
// Nothing is loaded or stored, so the only limits are the multiply/add latency (few chains) or
// throughput (enough chains). 8 flops per chain step for f32x4, 2 for scalar f32. The best over
// the chain counts tried is the ceiling every kernel is compared to.
//
// a and b are parameters (no constant folding); a = b = 0.5 makes every chain converge to 1 from
// its start in [1, 2), so no value ever becomes denormal, infinite or NaN.

import wabtInit from 'wabt';
import { Bench } from 'tinybench';
import { stats } from './harness.js';
import type { Stats } from './harness.js';

export type CeilingIsa = 'simd' | 'scalar';

const UNROLL = 4;

/** The WAT of `run(n, a, b) -> f32`: n loop iterations of UNROLL steps of `chains` chains. */
export function ceilingWat(isa: CeilingIsa, chains: number): string {
  const ty = isa === 'simd' ? 'v128' : 'f32';
  const mul = isa === 'simd' ? 'f32x4.mul' : 'f32.mul';
  const add = isa === 'simd' ? 'f32x4.add' : 'f32.add';
  const init = (i: number): string => {
    const v = (1 + i / chains).toFixed(6);
    return isa === 'simd' ? `(v128.const f32x4 ${v} ${v} ${v} ${v})` : `(f32.const ${v})`;
  };
  const lines: string[] = [];
  lines.push('(module');
  lines.push('  (func (export "run") (param $n i32) (param $x f32) (param $y f32) (result f32)');
  lines.push(`    (local $a ${ty}) (local $b ${ty})`);
  for (let i = 0; i < chains; i++) lines.push(`    (local $c${i} ${ty})`);
  if (isa === 'simd') {
    lines.push('    (local.set $a (f32x4.splat (local.get $x)))');
    lines.push('    (local.set $b (f32x4.splat (local.get $y)))');
  } else {
    lines.push('    (local.set $a (local.get $x))');
    lines.push('    (local.set $b (local.get $y))');
  }
  for (let i = 0; i < chains; i++) lines.push(`    (local.set $c${i} ${init(i)})`);
  lines.push('    (block $done');
  lines.push('      (loop $top');
  lines.push('        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))');
  for (let u = 0; u < UNROLL; u++) {
    for (let i = 0; i < chains; i++) {
      lines.push(`        (local.set $c${i} (${add} (${mul} (local.get $c${i}) (local.get $a)) (local.get $b)))`);
    }
  }
  lines.push('        (local.set $n (i32.sub (local.get $n) (i32.const 1)))');
  lines.push('        (br $top)))');
  // Sum the chains so none is dead.
  let sum = `(local.get $c0)`;
  for (let i = 1; i < chains; i++) sum = `(${add} ${sum} (local.get $c${i}))`;
  lines.push(isa === 'simd' ? `    (f32x4.extract_lane 0 ${sum})` : `    ${sum}`);
  lines.push('  )');
  lines.push(')');
  return lines.join('\n');
}

export interface CeilingPoint {
  isa: CeilingIsa;
  chains: number;
  /** Loop iterations per call. */
  n: number;
  flopsPerCall: number;
  stats: Stats;
  gflops: number;
}

export interface CeilingResult {
  wasmBytes: Record<string, number>;
  points: CeilingPoint[];
  /** Best GFLOP/s over the chain counts, per ISA. */
  simd: number;
  scalar: number;
  simdChains: number;
  scalarChains: number;
}

type RunFn = (n: number, a: number, b: number) => number;

/** The WAT assembled with wabt (validated): the module's bytes. */
export async function ceilingBytes(isa: CeilingIsa, chains: number): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat(`ceiling-${isa}-${chains}.wat`, ceilingWat(isa, chains), { simd: isa === 'simd' });
  try {
    mod.validate();
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** Compile the WAT with wabt and instantiate it. */
async function compileCeiling(isa: CeilingIsa, chains: number): Promise<{ run: RunFn; bytes: number }> {
  const bytes = await ceilingBytes(isa, chains);
  const { instance } = await WebAssembly.instantiate(bytes, {});
  return { run: instance.exports.run as RunFn, bytes: bytes.byteLength };
}

/**
 * Measure the ceiling for each ISA and chain count, interleaved over `rounds` rounds, each call
 * sized to take about `callMs`.
 */
export async function measureCeiling(opts: { chainCounts?: number[]; rounds?: number; roundTimeMs?: number; callMs?: number } = {}): Promise<CeilingResult> {
  const chainCounts = opts.chainCounts ?? [1, 4, 8, 12, 16];
  const rounds = opts.rounds ?? 3;
  const roundTimeMs = opts.roundTimeMs ?? 60;
  const callMs = opts.callMs ?? 5;
  const configs: Array<{ isa: CeilingIsa; chains: number; run: RunFn; n: number; samples: number[] }> = [];
  const wasmBytes: Record<string, number> = {};
  for (const isa of ['simd', 'scalar'] as const) {
    for (const chains of chainCounts) {
      const { run, bytes } = await compileCeiling(isa, chains);
      wasmBytes[`${isa}-${chains}`] = bytes;
      // Warm up (tier up to TurboFan), then size n so one call takes about callMs.
      for (let i = 0; i < 3; i++) run(20_000, 0.5, 0.5);
      let n = 20_000;
      let dt = 0;
      for (;;) {
        const t0 = performance.now();
        run(n, 0.5, 0.5);
        dt = performance.now() - t0;
        if (dt > callMs / 4 || n > 1e9) break;
        n *= 4;
      }
      n = Math.max(1, Math.round((n * callMs) / Math.max(dt, 1e-3)));
      configs.push({ isa, chains, run, n, samples: [] });
    }
  }
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < configs.length; j++) {
      const c = configs[(j + r) % configs.length]!;
      const bench = new Bench({ time: roundTimeMs, iterations: 3, warmup: false, retainSamples: true, throws: true });
      bench.add(`${c.isa}-${c.chains}`, () => c.run(c.n, 0.5, 0.5), { async: false });
      const [task] = bench.runSync();
      const result = task?.result;
      if (result && (result.state === 'completed' || result.state === 'aborted-with-statistics')) {
        c.samples.push(...(result.latency.samples ?? []));
      }
    }
  }
  const points: CeilingPoint[] = configs.map((c) => {
    const flopsPerCall = c.n * UNROLL * c.chains * 2 * (c.isa === 'simd' ? 4 : 1);
    const st = stats(c.samples);
    return { isa: c.isa, chains: c.chains, n: c.n, flopsPerCall, stats: st, gflops: flopsPerCall / (st.median * 1e6) };
  });
  const best = (isa: CeilingIsa): CeilingPoint => points.filter((p) => p.isa === isa).reduce((a, b) => (b.gflops > a.gflops ? b : a));
  const bs = best('simd');
  const bc = best('scalar');
  return { wasmBytes, points, simd: bs.gflops, scalar: bc.gflops, simdChains: bs.chains, scalarChains: bc.chains };
}

/**
 * The better of two ceiling runs, point by point (a ceiling is an upper bound: on a shared
 * machine the slower run of the same code only measured a busier moment).
 */
export function bestCeiling(a: CeilingResult, b: CeilingResult): CeilingResult {
  const points = a.points.map((p) => {
    const q = b.points.find((x) => x.isa === p.isa && x.chains === p.chains);
    return q && q.gflops > p.gflops ? q : p;
  });
  const best = (isa: CeilingIsa): CeilingPoint => points.filter((p) => p.isa === isa).reduce((x, y) => (y.gflops > x.gflops ? y : x));
  const bs = best('simd');
  const bc = best('scalar');
  return { wasmBytes: a.wasmBytes, points, simd: bs.gflops, scalar: bc.gflops, simdChains: bs.chains, scalarChains: bc.chains };
}
