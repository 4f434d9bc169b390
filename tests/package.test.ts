// The built package: ESM and CommonJS entries load, agree bit for bit with the sources, and the
// declarations exist.
import { test } from 'node:test';
import assert from './assert.js';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
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

test('the wasm build is skipped when assembly/ has not changed since the last compile', () => {
  // pretest has just built: a second build finds its inputs' hash unchanged and rewrites nothing
  const outputs = ['build/convcs-simd.wasm', 'build/convcs-scalar.wasm', 'build/convcs-relaxed.wasm', 'src/generated/wasm.ts']
    .map((f) => new URL(`../${f}`, import.meta.url));
  const before = outputs.map((f) => statSync(f).mtimeMs);
  const out = execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url))], { encoding: 'utf8' });
  assert.match(out, /up to date/);
  assert.deepEqual(outputs.map((f) => statSync(f).mtimeMs), before);
});

test('the READMEs read from the npm page: under 10 KB, install first, every link absolute and to a file that exists', () => {
  const repo = 'https://github.com/convcs/convcs/';
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const [file, install] of [['README.md', 'npm install convcs'], ['cli/README.md', 'npm install -g convcs-cli']] as const) {
    const text = readFileSync(join(root, file), 'utf8');
    assert.ok(Buffer.byteLength(text) < 10 * 1024, `${file} is ${Buffer.byteLength(text)} bytes`);
    assert.ok(text.split('\n').slice(0, 30).some((l) => l.includes(install)), `${file} shows ${install} near its top`);
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    assert.ok(links.length > 0, `${file} has links`);
    for (const link of links) {
      assert.match(link, /^https:\/\//, `${file}: ${link} is relative, so it breaks on the npm page`);
      if (!link.startsWith(repo)) continue;
      const m = /^(?:blob|tree)\/main\/([^#?]+)/.exec(link.slice(repo.length));
      if (link.slice(repo.length) === 'issues' || link === repo) continue;
      assert.ok(m, `${file}: ${link} is not a file or folder of the repository`);
      assert.ok(existsSync(join(root, m[1]!)), `${file}: ${link} points at ${m[1]}, which does not exist`);
    }
  }
  const top = readFileSync(join(root, 'README.md'), 'utf8').split('\n').slice(0, 40).join('\n');
  assert.match(top, /npm ci && npm run demo/);
  assert.match(top, /npm test/);
});

test('the published declarations expose no internals: no Engine, allocator, kernel exports, paths or public pointers', () => {
  for (const f of ['index.d.ts', 'index.d.cts']) {
    const text = readFileSync(new URL(`../dist/${f}`, import.meta.url), 'utf8');
    const internals = ['Engine', 'LinearAllocator', 'ModuleExports', 'ScalarKernelExports', 'SimdKernelExports', 'Kernels',
      'EngineOperator', 'PtrOperator', 'ConvPath', 'LayerBuffers', 'SparsePlan', 'ConvPaths'];
    for (const name of internals) {
      assert.ok(!new RegExp(`\\b${name}\\b`).test(text), `dist/${f} declares or names ${name}`);
    }
    const exposed = text.split('\n').filter((l) => /^\s+(readonly\s+)?(engine|ptr\w*)\s*[:(]/.test(l));
    assert.deepEqual(exposed, [], `dist/${f} exposes engine or pointer members`);
    // The operator base's machinery (allocation, growable scratch, pinning) is for subclasses in
    // this package only.
    const machinery = text.split('\n').filter((l) => /^\s+protected\b/.test(l));
    assert.deepEqual(machinery, [], `dist/${f} declares protected members`);
  }
});
