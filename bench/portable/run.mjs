// The portable suite from a command line, in whichever of Node, Deno and Bun runs this file:
//   node bench/portable/run.mjs [--config full|tiny] [--backend simd|scalar] [--label text] > result.json
//   deno run --allow-sys bench/portable/run.mjs ...     (--allow-sys only to name the CPU)
//   bun bench/portable/run.mjs ...
// The result (convcs-bench/1 JSON) is the last line on stdout; progress goes to stderr. The
// runtime is detected by the suite itself; this file only reads arguments and names the machine.
import * as convcs from 'convcs';
import { runSuite } from 'convcs-cli/bench';

function args() {
  const argv = globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2);
  const opts = { config: 'full', backend: 'simd', label: undefined, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--config') opts.config = value();
    else if (a === '--backend') opts.backend = value();
    else if (a === '--label') opts.label = value();
    else if (a === '--quiet') opts.quiet = true;
    else throw new Error(`unknown argument ${a} (expected --config full|tiny, --backend simd|scalar, --label text, --quiet)`);
  }
  if (!['full', 'tiny'].includes(opts.config)) throw new Error(`--config: full or tiny, not ${opts.config}`);
  if (!['simd', 'scalar'].includes(opts.backend)) throw new Error(`--backend: simd or scalar, not ${opts.backend}`);
  return opts;
}

/** CPU model, core count and platform through node:os, which all three runtimes provide. */
async function machine() {
  const deno = globalThis.Deno;
  // Deno would prompt for the permission: ask it first, and do without when it is not granted.
  const allowed = !deno || ['cpus', 'osRelease'].every((kind) => deno.permissions.querySync?.({ name: 'sys', kind }).state === 'granted');
  try {
    if (!allowed) throw new Error('no --allow-sys');
    const os = await import('node:os');
    const cpus = os.cpus();
    return { cpu: cpus[0]?.model.trim() || null, cores: cpus.length || null, platform: `${os.platform()} ${os.arch()}` };
  } catch {
    // Deno without --allow-sys: the core count is public, the rest is not.
    return { cpu: null, cores: globalThis.navigator?.hardwareConcurrency ?? null, platform: null };
  }
}

const opts = args();
let lastPercent = -1;
const result = await runSuite(convcs, {
  config: opts.config,
  backend: opts.backend,
  label: opts.label,
  machine: await machine(),
  onProgress: opts.quiet ? undefined : ({ done, total, caseId }) => {
    const percent = Math.floor((100 * done) / total);
    if (percent >= lastPercent + 10 || done === total) {
      lastPercent = percent;
      console.error(`[${String(percent).padStart(3)}%] ${caseId}`);
    }
  },
});
console.log(JSON.stringify(result));
