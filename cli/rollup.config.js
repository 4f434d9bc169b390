// Bundles the compiled CLI (cli/build/tsc, from `tsc -p cli/tsconfig.json`) into the package's two
// entries:
//   dist/cli.mjs              the bin; `convcs`, Node's builtins and the CLI's dependencies stay
//                             imports, resolved from node_modules (the library is not bundled in)
//   dist/study-thread.mjs     the script of the threads that run study parts (imports convcs only)
//   dist/experiment.mjs (+ .d.ts)  `convcs-cli/experiment`, the code the web demo shares: it may
//                             import `convcs` and nothing else
//   dist/bench.mjs (+ .d.ts)  `convcs-cli/bench`, the portable benchmark suite's core, run by the
//                             runners in every runtime: it may import `convcs` and nothing else
import { chmodSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dts } from 'rollup-plugin-dts';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const dependencies = Object.keys(pkg.dependencies);
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const isDependency = (id) => dependencies.some((d) => id === d || id.startsWith(`${d}/`));

/** npm makes bin files executable on install; this does the same for a clone's build. */
function executable() {
  return {
    name: 'executable',
    writeBundle(options) {
      chmodSync(options.file, 0o755);
    },
  };
}

/** Fail the build if the shared module imports anything but the library. */
function onlyConvcs() {
  return {
    name: 'only-convcs',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        const other = chunk.type === 'chunk' ? [...chunk.imports, ...chunk.dynamicImports].filter((i) => i !== 'convcs') : [];
        if (other.length > 0) this.error(`${chunk.fileName} imports ${other.join(', ')}: it must run in a browser with convcs alone`);
      }
    },
  };
}

export default [
  {
    input: 'build/tsc/main.js',
    output: { file: 'dist/cli.mjs', format: 'es', banner: '#!/usr/bin/env node' },
    external: (id) => builtins.has(id) || isDependency(id),
    plugins: [executable()],
  },
  {
    // the script of the threads that run study parts: the library and Node's builtins only, so
    // a thread starts without loading the figures' or the queue's dependencies
    input: 'build/tsc/study/thread-entry.js',
    output: { file: 'dist/study-thread.mjs', format: 'es' },
    external: (id) => builtins.has(id) || id === 'convcs',
  },
  {
    input: 'build/tsc/experiment/index.js',
    output: { file: 'dist/experiment.mjs', format: 'es' },
    external: (id) => id === 'convcs',
    plugins: [onlyConvcs()],
  },
  {
    input: 'build/tsc/bench/index.js',
    output: { file: 'dist/bench.mjs', format: 'es' },
    external: (id) => id === 'convcs',
    plugins: [onlyConvcs()],
  },
  {
    input: 'build/tsc/bench/index.d.ts',
    output: { file: 'dist/bench.d.ts', format: 'es' },
    external: (id) => id === 'convcs',
    plugins: [dts()],
  },
  {
    input: 'build/tsc/experiment/index.d.ts',
    output: { file: 'dist/experiment.d.ts', format: 'es' },
    external: (id) => id === 'convcs',
    plugins: [dts()],
  },
];
