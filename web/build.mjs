// Builds the static web demo into web/dist/: the page and its stylesheet, the built-in photograph,
// and its scripts bundled by rollup; and the benchmark page (bench.html, its script and its
// workers: bench-worker.js runs `convcs-cli/bench`, bench-threads-worker.js times convcs on one
// and two threads against tfjs-backend-wasm's threaded build). The scripts import `convcs` and
// `convcs-cli/experiment` by name, as any app does. `convcs` itself is not bundled into them: the
// library's browser file (dist/convcs.browser.mjs, what its `browser` export condition names) is
// copied beside them as convcs.browser.mjs and they import it by that relative URL. That matters
// for threads: load({ threads }) starts each thread as a module Worker on the URL of the module
// convcs was loaded from (import.meta.url), which must be that file, not a demo script that
// happens to contain the library. tfjs (the bench's peer) is bundled from its flat ESM builds,
// and its threaded SIMD wasm is copied beside the scripts, so that everything is same-origin.
// Needs the library and the CLI built first (npm run build, then npm run build -w convcs-cli).
// Usage: node web/build.mjs
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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
const SCRIPTS = ['app.js', 'worker.js', 'bench.js', 'bench-worker.js', 'bench-threads-worker.js'];
/** The name of the library's browser file in the output, which the scripts import. */
export const CONVCS_FILE = 'convcs.browser.mjs';
/** tfjs-backend-wasm's threaded SIMD binary, the one the threads bench runs. */
export const TFJS_THREADED_WASM = 'tfjs-backend-wasm-threaded-simd.wasm';

const require = createRequire(import.meta.url);

/** The library's browser file, as its package's `browser` export condition names it. */
function convcsBrowserFile() {
  const pkgPath = require.resolve('convcs/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const file = join(dirname(pkgPath), pkg.exports['.'].browser.import);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  return file;
}

/** A package's own file (for the tfjs flat ESM builds and the wasm binary). */
function packageFile(name, path) {
  return join(dirname(require.resolve(`${name}/package.json`)), path);
}

/**
 * tfjs-core and tfjs-backend-wasm by their flat ESM files (one module each, no CommonJS inside);
 * the backend's file imports the core by name, which must be the same single copy. It also
 * imports Node's fs, path, perf_hooks and os, used only when it runs in Node (its package's
 * `browser` field maps them to nothing): here they are an empty module.
 */
function tfjsFlatEsm() {
  const files = {
    '@tensorflow/tfjs-core': packageFile('@tensorflow/tfjs-core', 'dist/tf-core.fesm.js'),
    '@tensorflow/tfjs-backend-wasm': packageFile('@tensorflow/tfjs-backend-wasm', 'dist/tf-backend-wasm.fesm.js'),
  };
  const EMPTY = '\0tfjs-node-builtin';
  return {
    name: 'tfjs-flat-esm',
    resolveId(source, importer) {
      if (files[source]) return files[source];
      if (importer === files['@tensorflow/tfjs-backend-wasm'] && ['fs', 'path', 'perf_hooks', 'os', 'worker_threads'].includes(source)) return EMPTY;
      return null;
    },
    load(id) {
      return id === EMPTY ? 'export default {};' : null;
    },
  };
}

export async function buildWebDemo(outDir = join(here, 'dist')) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [from, to] of STATIC) copyFileSync(join(root, from), join(outDir, to));
  copyFileSync(convcsBrowserFile(), join(outDir, CONVCS_FILE));
  copyFileSync(packageFile('@tensorflow/tfjs-backend-wasm', `dist/${TFJS_THREADED_WASM}`), join(outDir, TFJS_THREADED_WASM));
  for (const script of SCRIPTS) {
    const bundle = await rollup({
      input: join(here, script),
      external: ['convcs'],
      plugins: [tfjsFlatEsm(), nodeResolve({ browser: true, exportConditions: ['browser'] })],
      onwarn(warning, warn) {
        if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`${script}: cannot resolve ${warning.exporter}: run npm run build and npm run build -w convcs-cli first`);
        warn(warning);
      },
    });
    await bundle.write({ file: join(outDir, script), format: 'es', paths: { convcs: `./${CONVCS_FILE}` } });
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
