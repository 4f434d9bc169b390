// Builds the static web demo into web/dist/: the page and its stylesheet, the built-in photograph,
// and its two scripts bundled by rollup; and the benchmark page (bench.html, its script and its
// worker, which runs `convcs-cli/bench`). The scripts import `convcs` and `convcs-cli/experiment` by
// name, as any app does; the bundler resolves `convcs` through its `browser` export condition
// (the library's browser file, dist/convcs.browser.mjs), so the page needs no import map and the
// worker no bundler of its own. Needs the library and the CLI built first (npm run build, then
// npm run build -w convcs-cli).
// Usage: node web/build.mjs
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/** Copied as they are: [from, to], relative to the repository root and the output. */
const STATIC = [
  ['web/index.html', 'index.html'],
  ['web/bench.html', 'bench.html'],
  ['web/style.css', 'style.css'],
  ['data/astronaut-256.png', 'astronaut-256.png'],
];
const SCRIPTS = ['app.js', 'worker.js', 'bench.js', 'bench-worker.js'];

export async function buildWebDemo(outDir = join(here, 'dist')) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [from, to] of STATIC) copyFileSync(join(root, from), join(outDir, to));
  for (const script of SCRIPTS) {
    const bundle = await rollup({
      input: join(here, script),
      plugins: [nodeResolve({ browser: true, exportConditions: ['browser'] })],
      onwarn(warning, warn) {
        if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`${script}: cannot resolve ${warning.exporter}: run npm run build and npm run build -w convcs-cli first`);
        warn(warning);
      },
    });
    await bundle.write({ file: join(outDir, script), format: 'es' });
    await bundle.close();
  }
  return { outDir };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { outDir } = await buildWebDemo();
    process.stdout.write(`built the web demo in ${outDir}\n`);
  } catch (e) {
    process.stderr.write(`web/build.mjs: ${e.message}\n`);
    process.exit(1);
  }
}
