// Builds the static web demo into web/dist/: the page, its script and worker, the built-in
// photograph, the library's browser bundle (dist/convcs.browser.mjs, or dist/index.mjs where that
// does not exist yet: it has no Node imports either) and the two pure modules of the CLI the
// worker shares with Node (build/tsc/cli/raster.js and observe.js). Needs `npm run build` first.
// Usage: node web/build.mjs
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/** The files of the page, from the source tree: [from, to] relative to root and the output. */
const PAGE = [
  ['web/index.html', 'index.html'],
  ['web/style.css', 'style.css'],
  ['web/app.js', 'app.js'],
  ['web/worker.js', 'worker.js'],
  ['data/astronaut-256.png', 'astronaut-256.png'],
  ['build/tsc/cli/raster.js', 'raster.js'],
  ['build/tsc/cli/observe.js', 'observe.js'],
];
const LIBRARY = ['dist/convcs.browser.mjs', 'dist/index.mjs'];

export function buildWebDemo(outDir = join(here, 'dist')) {
  const library = LIBRARY.find((f) => existsSync(join(root, f)));
  const missing = PAGE.map(([f]) => f).filter((f) => !existsSync(join(root, f)));
  if (!library || missing.length > 0) {
    throw new Error(`missing ${[...(library ? [] : [LIBRARY.join(' or ')]), ...missing].join(', ')}: run npm run build first`);
  }
  // the worker imports these by name; anything else in them would need a bundler
  for (const f of ['build/tsc/cli/raster.js', 'build/tsc/cli/observe.js']) {
    if (/^\s*import\s[^'"]*['"]/m.test(readFileSync(join(root, f), 'utf8').replace(/^\s*import type[^\n]*$/gm, ''))) {
      throw new Error(`${f} has imports; the web demo loads it as a standalone module`);
    }
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [from, to] of PAGE) copyFileSync(join(root, from), join(outDir, to));
  copyFileSync(join(root, library), join(outDir, 'convcs.mjs'));
  return { outDir, library };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { outDir, library } = buildWebDemo();
    process.stdout.write(`built the web demo in ${outDir} (library: ${library})\n`);
  } catch (e) {
    process.stderr.write(`web/build.mjs: ${e.message}\n`);
    process.exit(1);
  }
}
