// Measuring with tinybench, interleaved: every contender of a group runs a short tinybench task in
// turn, round after round (the order rotated each round), and its latency samples are pooled over
// the rounds. On a shared, noisy machine this spreads any slow spell over all contenders instead
// of charging it to whichever one happened to be running. A contender in another process (the
// native PyTorch peer) takes its turn the same way: asked for a round's worth of samples.

import { Bench } from 'tinybench';
import { quantile, sampleStats } from 'convcs-cli/bench';

/** A contender in this process, timed call by call, or one in another process that times its own rounds. */
export type Contender = InProcessContender | ExternalContender;

export interface InProcessContender {
  /** Who runs: 'convcs simd', 'convcs scalar', 'tfjs-wasm', 'plain JS'. */
  name: string;
  /** One call of the operation measured. */
  fn: () => unknown;
  /** True when fn returns a promise to wait for (tinybench then runs it with run(), not runSync()). */
  async?: boolean;
  external?: undefined;
}

export interface ExternalContender {
  /** Who runs: 'PyTorch (native, 1 thread)'. */
  name: string;
  /** One round: the operation timed for about `ms` where it runs, as latency samples in ms. */
  external: (ms: number) => Promise<number[]>;
}

export interface Stats {
  n: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
  mean: number;
  /** Median absolute deviation from the median. */
  mad: number;
}

export interface Measurement {
  name: string;
  /** Statistics of the pooled latency samples, in ms. */
  stats: Stats;
  /** The median of each round, in ms, in the order the rounds ran (drift shows here). */
  roundMedians: number[];
  /** Latencies of the untimed warm-up calls, in ms. */
  warmupMs: number[];
}

export interface Plan {
  /** Interleaved rounds (each contender runs once per round). */
  rounds: number;
  /** tinybench `time` per contender per round, ms. */
  roundTimeMs: number;
  /** tinybench `iterations` per contender per round (a minimum: it also runs for roundTimeMs). */
  iterationsPerRound: number;
}

/** The portable suite's statistics (median, p75, MAD, n), with the extremes, quartile and mean this suite also reports. */
export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    ...sampleStats(s),
    min: s[0] ?? NaN,
    p25: quantile(s, 0.25),
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
  };
}

/**
 * Call every contender at least `minCalls` times, and more while that is cheap (up to 60 ms or 8
 * calls), so V8 has tiered the wasm and the JavaScript up to its optimizing compiler before any
 * timed call. Returns each contender's warm-up latencies, in ms.
 */
export async function warmUp(contenders: readonly Contender[], minCalls = 1): Promise<number[][]> {
  const all: number[][] = [];
  for (const c of contenders) {
    if (c.external) {
      all.push(await c.external(60));
      continue;
    }
    const times: number[] = [];
    let spent = 0;
    for (let calls = 0; calls < minCalls || (spent < 60 && calls < 8); calls++) {
      const t0 = performance.now();
      if (c.async) await c.fn();
      else c.fn();
      const dt = performance.now() - t0;
      times.push(dt);
      spent += dt;
    }
    all.push(times);
  }
  return all;
}

/**
 * A plan for a group from its slowest contender's warm call time and the milliseconds the group
 * may take: five rounds with a time budget each, four when a call takes over 0.4 s (then the
 * slow contenders contribute one call per round).
 */
export function planFor(slowestCallMs: number, contenders: number, budgetMs: number): Plan {
  const rounds = slowestCallMs > 400 ? 4 : 5;
  return {
    rounds,
    roundTimeMs: Math.max(10, Math.min(250, budgetMs / contenders / rounds)),
    iterationsPerRound: 1,
  };
}

/** Measure contenders interleaved, after warmUp: see the top of this file. */
export async function measureInterleaved(contenders: readonly Contender[], plan: Plan, warmupMs: number[][]): Promise<Measurement[]> {
  const pooled: number[][] = contenders.map(() => []);
  const roundMedians: number[][] = contenders.map(() => []);
  for (let r = 0; r < plan.rounds; r++) {
    for (let j = 0; j < contenders.length; j++) {
      const i = (j + r) % contenders.length; // rotate who goes first
      const c = contenders[i]!;
      const samples = c.external ? await c.external(plan.roundTimeMs) : await tinybenchRound(c, plan);
      pooled[i]!.push(...samples);
      roundMedians[i]!.push(quantile([...samples].sort((a, b) => a - b), 0.5));
    }
  }
  return contenders.map((c, i) => ({ name: c.name, stats: stats(pooled[i]!), roundMedians: roundMedians[i]!, warmupMs: warmupMs[i] ?? [] }));
}

/** One contender's round in this process: a tinybench task of the plan's time, its latency samples. */
async function tinybenchRound(c: InProcessContender, plan: Plan): Promise<readonly number[]> {
  const bench = new Bench({
    time: plan.roundTimeMs,
    iterations: plan.iterationsPerRound,
    warmup: false,
    retainSamples: true,
    throws: true,
  });
  // async given explicitly, or tinybench calls fn once more to find out whether it returns a promise.
  bench.add(c.name, c.fn, { async: c.async === true });
  const [task] = c.async ? await bench.run() : bench.runSync();
  const result = task?.result;
  if (!result || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) {
    throw new Error(`tinybench task ${c.name} did not complete (${result?.state ?? 'no task'})`);
  }
  return result.latency.samples ?? [];
}

/** warmUp, planFor (from the slowest warm call) and measureInterleaved in one. */
export async function measureGroup(
  contenders: readonly Contender[], budgetMs: number, minWarmupCalls = 1, maxRounds = Infinity, rounds?: number,
): Promise<{ plan: Plan; results: Measurement[] }> {
  const warm = await warmUp(contenders, minWarmupCalls);
  const slowest = Math.max(...warm.map((t) => t[t.length - 1] ?? 0));
  const base = planFor(slowest, contenders.length, budgetMs);
  // `rounds` asks for more (or fewer) rounds than the plan's, e.g. for calls of seconds, whose
  // every round gives each contender a single sample
  const plan = { ...base, rounds: Math.max(1, Math.min(rounds ?? base.rounds, maxRounds)) };
  return { plan, results: await measureInterleaved(contenders, plan, warm) };
}
