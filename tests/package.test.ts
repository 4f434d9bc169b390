// The built package: ESM and CommonJS entries load, agree bit for bit with the sources, and the
// declarations exist.
import { test } from 'node:test';
import assert from './assert.js';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { bitsEqual } from './helpers.js';

const require = createRequire(import.meta.url);

async function run(mod: typeof import('../src/index.js')): Promise<Float32Array> {
  const cs = await mod.load();
  const W = cs.conv1d({ inChannels: 4, outChannels: 6, kernelSize: 5, length: 16 });
  W.randomize({ seed: 9 });
  const h = W.forward(cs.randn(W.inputSize, { seed: 10 }));
  return W.transpose(cs.project(h, { shape: W.outputShape, k: 3 }).z);
}

test('dist: ESM and CommonJS entries give the same bits as the sources', async () => {
  const esm = await import('../dist/index.mjs' as string) as typeof import('../src/index.js');
  const cjs = require('../dist/index.cjs') as typeof import('../src/index.js');
  const src = await import('../src/index.js');
  const [a, b, c] = await Promise.all([run(esm), run(cjs), run(src)]);
  assert.ok(bitsEqual(a, c) && bitsEqual(b, c));
  assert.ok(existsSync(new URL('../dist/index.d.ts', import.meta.url)));
  assert.match(readFileSync(new URL('../dist/index.d.ts', import.meta.url), 'utf8'), /declare function load/);
});

test('wasm modules stay within the 64 KB budget', () => {
  for (const name of ['simd', 'scalar']) {
    const size = statSync(new URL(`../build/convcs-${name}.wasm`, import.meta.url)).size;
    assert.ok(size <= 64 * 1024, `${name}: ${size} bytes`);
  }
});
