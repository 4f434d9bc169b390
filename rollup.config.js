// Bundles the compiled TypeScript (build/tsc, from `npm run build:ts`) into the published entry
// points: ESM and CommonJS for Node and bundlers, and one rolled-up declaration file. The wasm
// bytes are embedded in the code, so each bundle is self-contained.
import { dts } from 'rollup-plugin-dts';

export default [
  {
    input: 'build/tsc/index.js',
    output: [
      { file: 'dist/index.mjs', format: 'es' },
      { file: 'dist/index.cjs', format: 'cjs', exports: 'named' },
    ],
  },
  {
    input: 'build/tsc/index.d.ts',
    output: { file: 'dist/index.d.ts', format: 'es' },
    plugins: [dts()],
  },
];
