// Timing inside the runtime, with performance.now(): warm-up, then interleaved rounds, then
// medians, as bench/harness.ts does in Node, but with no dependency (no tinybench) so that a
// browser and workerd run it too.
//
// Browsers coarsen performance.now() (Chromium to 100 µs without cross-origin isolation, Firefox
// to 1 ms or more), so a sample is a batch of calls timed together, divided by the batch size,
// the batch sized from the warm-up so that a sample lasts at least minSampleMs (at least 50 ticks
// of the clock measured here). Every runtime follows the same rule, with its own clock.

import { sampleStats } from './stats.js';
import type { Case } from './cases.js';

export interface TimingPlan {
  /** Interleaved rounds: every case runs once per round, in an order rotated each round. */
  rounds: number;
  /** How long each case keeps taking samples in a round. */
  roundTimeMs: number;
  /** The least a sample (one batch of calls) lasts. */
  minSampleMs: number;
  /** Warm-up per case before the rounds (at least two calls). */
  warmupMs: number;
}

export const PLANS: Record<'full' | 'tiny', TimingPlan> = {
  full: { rounds: 5, roundTimeMs: 100, minSampleMs: 2, warmupMs: 60 },
  tiny: { rounds: 2, roundTimeMs: 3, minSampleMs: 0.2, warmupMs: 1 },
};

export interface Clock {
  /** The smallest step seen between two readings, ms; null when the clock never moved. */
  resolutionMs: number | null;
}

/**
 * The clock's step: read performance.now() until it has moved 20 times (or 2e6 reads, enough
 * to give up on a clock that never moves during computation, as in a deployed Cloudflare Worker).
 */
export function probeClock(): Clock {
  let last = performance.now();
  let best = Infinity;
  let moves = 0;
  for (let i = 0; i < 2e6 && moves < 20; i++) {
    const t = performance.now();
    if (t !== last) {
      best = Math.min(best, t - last);
      last = t;
      moves++;
    }
  }
  return { resolutionMs: moves > 0 ? best : null };
}

export interface CaseTiming {
  /** Per-call times, ms: each a batch's time over its size. */
  samples: number[];
  batch: number;
}

export interface Progress {
  done: number;
  total: number;
  caseId: string;
  phase: 'warm-up' | 'rounds';
}

async function call(c: Case): Promise<void> {
  if (c.async) await c.run();
  else c.run();
}

/** Time `batch` calls, ms. */
async function timeBatch(c: Case, batch: number): Promise<number> {
  if (c.async) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await c.run();
    return performance.now() - t0;
  }
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) c.run();
  return performance.now() - t0;
}

/** Warm every case up, then time them in interleaved rounds. */
export async function measureCases(cases: readonly Case[], plan: TimingPlan, minSampleMs: number,
  onProgress?: (p: Progress) => void): Promise<Map<string, CaseTiming>> {
  const total = cases.length * (plan.rounds + 1);
  let done = 0;
  const timings = new Map<string, CaseTiming>();
  for (const c of cases) {
    // Warm-up: JIT tiers, first-touch memory, packed weights. It lasts at least one sample's
    // time, so that its average call (the first, slowest call left out) is well above the clock's
    // step, and sizes the batches from that.
    const start = performance.now();
    await call(c);
    const afterFirst = performance.now();
    let calls = 0;
    while (calls < 1 || performance.now() - start < Math.max(plan.warmupMs, minSampleMs)) {
      await call(c);
      calls++;
      if (calls >= 1_000_000) break;
    }
    const perCall = Math.max(1e-6, (performance.now() - afterFirst) / calls);
    timings.set(c.id, { samples: [], batch: Math.min(1_000_000, Math.max(1, Math.ceil(minSampleMs / perCall))) });
    onProgress?.({ done: ++done, total, caseId: c.id, phase: 'warm-up' });
  }
  for (let r = 0; r < plan.rounds; r++) {
    for (let j = 0; j < cases.length; j++) {
      const c = cases[(j + r) % cases.length]!;
      const t = timings.get(c.id)!;
      const start = performance.now();
      do {
        const ms = await timeBatch(c, t.batch);
        // A batch the clock did not see (a coarse, jittered clock) is too short: double it.
        if (ms > 0) t.samples.push(ms / t.batch);
        else t.batch = Math.min(1_000_000, 2 * t.batch);
      } while (performance.now() - start < plan.roundTimeMs || t.samples.length === 0);
      onProgress?.({ done: ++done, total, caseId: c.id, phase: 'rounds' });
    }
  }
  return timings;
}

export { sampleStats };
