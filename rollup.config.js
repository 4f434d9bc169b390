// Bundles the compiled TypeScript (build/tsc, from `npm run build:ts`) into the published entry
// points, each carrying only what it uses:
//   dist/index.mjs, dist/index.cjs   Node and bundlers (ESM, CommonJS); wasm embedded as base64
//   dist/convcs.browser.mjs          a browser ESM file with no imports at all, for a page or a
//                                    worker loading it from a static server or a CDN; minified,
//                                    since it goes over the wire as it is (no bundler after it)
//   dist/workerd.mjs (+ the .wasm)   Cloudflare workerd, which refuses to compile wasm from bytes:
//                                    it imports the two modules as files beside it and embeds none
// dist/ is emptied first, so that nothing a former build left there is packed.
//   dist/index.d.ts, dist/index.d.cts  one rolled-up declaration file, twice: the .d.cts is the
//                                    same text read as CommonJS, for `require` (TypeScript takes
//                                    a .d.ts in a "type": "module" package to describe ESM)
import { readFileSync, rmSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { dts } from 'rollup-plugin-dts';
// esbuild is installed as tsx's dependency (tsx runs the tests), not as one of ours: see minify().
import { transform } from 'esbuild';

const wasmFiles = ['convcs-simd.wasm', 'convcs-scalar.wasm'];

rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

/** Fail the build if a chunk imports anything: these outputs must load with nothing beside them. */
function selfContained() {
  return {
    name: 'self-contained',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk' && (chunk.imports.length > 0 || chunk.dynamicImports.length > 0)) {
          this.error(`${chunk.fileName} imports ${[...chunk.imports, ...chunk.dynamicImports].join(', ')}`);
        }
      }
    },
  };
}

/**
 * The published entries carry no test hooks: parallel/testing.js (the fault injection of the
 * worker pool and of threads, used by tests that run the sources), whoever imports it, becomes
 * parallel/testing-off.js, whose functions inject nothing.
 */
function withoutTestHooks() {
  return {
    name: 'without-test-hooks',
    resolveId(source, importer) {
      if (!importer || !source.endsWith('testing.js')) return null;
      const target = resolvePath(dirname(importer), source);
      if (/[\\/]parallel[\\/]testing\.js$/.test(target)) {
        return this.resolve(target.replace(/testing\.js$/, 'testing-off.js'), importer, { skipSelf: true });
      }
      return null;
    },
  };
}

/**
 * Minify with esbuild. keepNames keeps class and function names (Convcs, ConvOperator, ...) as
 * they are, for stack traces and console output. Folding constants is safe for the bits: JS number
 * arithmetic is IEEE double everywhere, at build time as at run time, and the conformance test
 * checks that this file gives the same hashes as the unminified entries.
 */
function minify() {
  return {
    name: 'minify',
    async renderChunk(code) {
      const out = await transform(code, { minify: true, keepNames: true, format: 'esm', target: 'es2022', legalComments: 'none' });
      return { code: out.code, map: null };
    },
  };
}

/**
 * Keep `import x from './convcs-*.wasm'` as it is written (rollup would otherwise rewrite the
 * path relative to build/tsc/), and copy the two modules from build/ into dist/ beside it.
 */
function wasmBeside() {
  return {
    name: 'wasm-beside',
    resolveId(source) {
      if (source.endsWith('.wasm')) {
        if (!wasmFiles.includes(source.replace(/^\.\//, ''))) this.error(`unexpected wasm import ${source}`);
        return { id: source, external: true };
      }
      return null;
    },
    generateBundle() {
      for (const fileName of wasmFiles) {
        this.emitFile({ type: 'asset', fileName, source: readFileSync(new URL(`./build/${fileName}`, import.meta.url)) });
      }
    },
  };
}

export default [
  {
    input: 'build/tsc/index.js',
    output: [
      { file: 'dist/index.mjs', format: 'es' },
      { file: 'dist/index.cjs', format: 'cjs', exports: 'named' },
    ],
    plugins: [withoutTestHooks(), selfContained()],
  },
  {
    // The same code as dist/index.mjs, minified; a file of its own so that the browser condition
    // and CDN URLs have a stable name whatever the Node entry later grows (selfContained keeps it
    // free of imports, node: or otherwise).
    input: 'build/tsc/index.js',
    output: { file: 'dist/convcs.browser.mjs', format: 'es' },
    plugins: [withoutTestHooks(), selfContained(), minify()],
  },
  {
    input: 'build/tsc/workerd.js',
    output: { file: 'dist/workerd.mjs', format: 'es' },
    plugins: [withoutTestHooks(), wasmBeside()],
  },
  {
    input: 'build/tsc/index.d.ts',
    // Operators declare [Symbol.dispose] (for `using`): the reference brings its declaration to
    // consumers whose own `lib` stops at ES2022, as TypeScript's default targets do.
    output: [
      { file: 'dist/index.d.ts', format: 'es', banner: '/// <reference lib="esnext.disposable" />' },
      { file: 'dist/index.d.cts', format: 'es', banner: '/// <reference lib="esnext.disposable" />' },
    ],
    plugins: [dts()],
  },
];
