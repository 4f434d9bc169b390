// The suite in one call, for any runtime whose clock moves while it computes: load convcs, build
// the cases, time them (harness.ts) and return a result record (schema.ts). A runner that times
// from outside (workerd) builds the cases with prepareCases and the record with assembleResult.

import { CEILING_CHAINS } from './ceiling.js';
import type { CeilingModules } from './ceiling.js';
import { prepareCases } from './cases.js';
import type { CaseInfo, ConvcsModule, SuiteConfig } from './cases.js';
import { measureCases, PLANS, probeClock } from './harness.js';
import type { Progress, TimingPlan } from './harness.js';
import { detectRuntime } from './runtime.js';
import type { RuntimeInfo } from './runtime.js';
import { SCHEMA_ID } from './schema.js';
import type { BenchResult, CaseResult } from './schema.js';
import { sampleStats } from './stats.js';

export interface SuiteOptions {
  config?: SuiteConfig;
  backend?: 'simd' | 'scalar';
  /** Precompiled probe modules, where the runtime cannot compile from bytes (workerd). */
  ceilingModules?: CeilingModules;
  /** What the runner knows of the machine (the core reads nothing of it). */
  machine?: Partial<BenchResult['machine']>;
  label?: string;
  /** Overrides of the configuration's plan (rounds, round time...). */
  plan?: Partial<TimingPlan>;
  onProgress?: (p: Progress) => void;
}

export interface Assembly {
  config: SuiteConfig;
  backend: 'simd' | 'scalar';
  plan: TimingPlan;
  runtime: RuntimeInfo;
  machine?: Partial<BenchResult['machine']>;
  label?: string;
  timing: BenchResult['timing'];
  firstLoadMs: number | null;
  startedAt: Date;
  durationMs: number;
  /** Per case, its info and its per-call samples in ms. */
  cases: Array<{ info: CaseInfo; samples: number[]; batch: number }>;
}

/** The result record from measured samples; the ceiling is the best chain count of each ISA. */
export function assembleResult(a: Assembly): BenchResult {
  const rows = a.cases.map(({ info, samples, batch }) => {
    const st = sampleStats(samples);
    const gflops = info.flops !== undefined ? info.flops / (st.median * 1e6) : null;
    const rate = info.rate ? { value: info.rate.per / (st.median / 1000), unit: info.rate.unit } : gflops !== null ? { value: gflops, unit: 'GFLOP/s' } : null;
    return { info, st, gflops, rate, batch };
  });
  const best = (isa: 'simd' | 'scalar'): { gflops: number; chains: number } => {
    let top = { gflops: 0, chains: CEILING_CHAINS[isa][0]! };
    for (const r of rows) {
      const m = /^ceiling\.(\w+)\.(\d+)$/.exec(r.info.id);
      if (m && m[1] === isa && r.gflops !== null && r.gflops > top.gflops) top = { gflops: r.gflops, chains: Number(m[2]) };
    }
    return top;
  };
  const simd = best('simd');
  const scalar = best('scalar');
  const cases: CaseResult[] = rows.map(({ info, st, gflops, rate, batch }) => ({
    id: info.id, group: info.group, title: info.title,
    medianMs: st.median, p75Ms: st.p75, madMs: st.mad, n: st.n, batch,
    gflops, rate, ofCeiling: gflops !== null && simd.gflops > 0 ? gflops / simd.gflops : null,
  }));
  return {
    schema: SCHEMA_ID,
    date: a.startedAt.toISOString(),
    durationMs: a.durationMs,
    label: a.label ?? null,
    runtime: a.runtime,
    machine: { cpu: a.machine?.cpu ?? null, cores: a.machine?.cores ?? null, platform: a.machine?.platform ?? null },
    suite: { config: a.config, backend: a.backend, rounds: a.plan.rounds, roundTimeMs: a.plan.roundTimeMs, cases: cases.length },
    timing: a.timing,
    firstLoadMs: a.firstLoadMs,
    ceiling: { simdGflops: simd.gflops, simdChains: simd.chains, scalarGflops: scalar.gflops, scalarChains: scalar.chains },
    cases,
  };
}

/** Run the whole suite here, timed with this runtime's performance.now(). */
export async function runSuite(convcs: ConvcsModule, options: SuiteOptions = {}): Promise<BenchResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const config = options.config ?? 'full';
  const backend = options.backend ?? 'simd';
  const plan = { ...PLANS[config], ...options.plan };
  const clock = probeClock();
  if (clock.resolutionMs === null) {
    throw new Error('performance.now() does not move while this runtime computes (a deployed Cloudflare Worker, for one): ' +
      'the suite cannot be timed from inside; time it from outside (bench/portable/workerd.ts does)');
  }
  const l0 = performance.now();
  const cs = await convcs.load({ backend });
  const firstLoadMs = performance.now() - l0;
  if (cs.backend !== backend) throw new Error(`asked for the ${backend} backend, load() gave ${cs.backend}`);
  const suite = await prepareCases(convcs, cs, config, options.ceilingModules);
  try {
    const minSampleMs = Math.max(plan.minSampleMs, 50 * clock.resolutionMs);
    const timings = await measureCases(suite.cases, plan, minSampleMs, options.onProgress);
    return assembleResult({
      config, backend, plan, runtime: detectRuntime(), machine: options.machine, label: options.label,
      timing: {
        method: 'in-runtime', resolutionMs: clock.resolutionMs, minSampleMs,
        note: 'performance.now() inside the runtime; a sample is a batch of calls lasting at least minSampleMs, over the batch size',
      },
      firstLoadMs, startedAt, durationMs: performance.now() - t0,
      cases: suite.cases.map((c) => ({ info: c, ...timings.get(c.id)! })),
    });
  } finally {
    suite.dispose();
  }
}
