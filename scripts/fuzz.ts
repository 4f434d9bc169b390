// `npm run fuzz`: the fuzz suite of tests/fuzz/ for as long as asked, on both modules.
//
//   npm run fuzz                          200,000 cases per backend (simd, scalar)
//   npm run fuzz -- --seconds 60          as many as fit in 60 s per backend
//   npm run fuzz -- --runs 50000 --seed 7

import { Harness, fuzz } from '../tests/fuzz/index.js';

function flag(args: string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`fuzz: --${name} needs a non-negative number, got ${args[i + 1]}`);
  return v;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seconds = flag(args, 'seconds');
  const runs = flag(args, 'runs') ?? (seconds !== undefined ? Number.MAX_SAFE_INTEGER : 200_000);
  const seed = flag(args, 'seed') ?? Date.now() % 2 ** 31;
  for (const backend of ['simd', 'scalar'] as const) {
    const h = await Harness.create(backend);
    const t0 = performance.now();
    console.log(`${backend}: fuzzing with seed ${seed}${seconds !== undefined ? ` for ${seconds} s` : ''} (${runs === Number.MAX_SAFE_INTEGER ? 'no run limit' : `${runs} cases`})`);
    fuzz(h, { runs, seconds, seed });
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`${backend}: ${h.calls.toLocaleString('en')} calls in ${s} s, no failure; memory ${h.cs.memoryBytes} bytes`);
    for (const [api, t] of [...h.byApi].sort()) console.log(`  ${api.padEnd(24)} ${String(t.ok).padStart(8)} returned ${String(t.refused).padStart(8)} refused`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
