// Bundles the command line (build/tsc/cli/main.js, from `npm run build:ts`) into dist/cli.mjs,
// the package's bin. The library is bundled in (wasm embedded, as in dist/index.mjs); Node's
// builtins and the CLI's runtime dependencies stay imports, resolved from node_modules.
import { chmodSync } from 'node:fs';
import { builtinModules } from 'node:module';

const dependencies = ['commander', 'cli-progress', 'vega', 'vega-lite', '@resvg/resvg-js', 'pngjs', 'jpeg-js'];
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** npm makes bin files executable on install; this does the same for a clone's build. */
function executable() {
  return {
    name: 'executable',
    writeBundle(options) {
      chmodSync(options.file, 0o755);
    },
  };
}

export default {
  input: 'build/tsc/cli/main.js',
  output: { file: 'dist/cli.mjs', format: 'es', banner: '#!/usr/bin/env node' },
  external: (id) => builtins.has(id) || dependencies.some((d) => id === d || id.startsWith(`${d}/`)),
  plugins: [executable()],
};
