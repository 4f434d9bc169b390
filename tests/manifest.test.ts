// The kernel manifest is the one list of kernels: the build refuses a folder that disagrees with
// it. Each refusal is checked here on a broken copy of assembly/, and the intact folder passes.
import { test } from 'node:test';
import assert from './assert.js';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest } from '../scripts/kernel-manifest.mjs';
import { KERNELS } from '../src/generated/kernels.js';

const assemblyDir = fileURLToPath(new URL('../assembly', import.meta.url));

function brokenCopy(breakIt: (dir: string) => void): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'convcs-manifest-'));
  try {
    cpSync(assemblyDir, dir, { recursive: true });
    breakIt(dir);
    return readManifest(dir).errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function editManifest(dir: string, edit: (m: { folders: Record<string, Array<Record<string, unknown>>> }) => void): void {
  const file = join(dir, 'kernels.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  edit(m);
  writeFileSync(file, JSON.stringify(m));
}

test('assembly/ agrees with its manifest, and the generated list is the manifest', () => {
  const { kernels, errors } = readManifest(assemblyDir);
  assert.deepEqual(errors, []);
  assert.deepEqual(KERNELS.map((k) => k.name), kernels.map((k) => k.name));
  const readme = readFileSync(join(assemblyDir, 'README.md'), 'utf8');
  for (const k of kernels) assert.ok(readme.includes(`[\`${k.file}\`](${k.file})`), `assembly/README.md does not list ${k.file}`);
});

test('the build refuses a kernel file the manifest does not list, but not a helper', () => {
  const stray = brokenCopy((dir) => writeFileSync(join(dir, 'conv', 'f32-stray-scalar.ts'), 'export function f32_stray_scalar(x: usize): void {}\n'));
  assert.ok(stray.some((e) => e.includes('conv/f32-stray-scalar.ts is not in the kernel manifest')), stray.join('\n'));
  const helper = brokenCopy((dir) => writeFileSync(join(dir, 'helpers', 'f32x4-extra.ts'), 'export function extra(x: usize): void {}\n'));
  assert.deepEqual(helper, []);
});

test('the build refuses a second kernel in a file, a changed signature, a missing reference or file', () => {
  const second = brokenCopy((dir) => appendFileSync(join(dir, 'blas', 'f32-dot-scalar.ts'), '\nexport function f32_dot2_scalar(x: usize): f64 { return 0; }\n'));
  assert.ok(second.some((e) => e.includes('blas/f32-dot-scalar.ts must export exactly one function')), second.join('\n'));
  const signature = brokenCopy((dir) => editManifest(dir, (m) => { m.folders.blas!.find((k) => k.name === 'f32_dot_scalar')!.signature = '(x: usize, n: i32): f64'; }));
  assert.ok(signature.some((e) => e.includes('f32_dot_scalar: the manifest says (x: usize, n: i32): f64')), signature.join('\n'));
  const reference = brokenCopy((dir) => editManifest(dir, (m) => { delete m.folders.blas!.find((k) => k.name === 'f32_dot_simd')!.reference; }));
  assert.ok(reference.some((e) => e.includes('f32_dot_simd: a SIMD kernel names its scalar reference')), reference.join('\n'));
  const missing = brokenCopy((dir) => rmSync(join(dir, 'blas', 'f32-sub-scalar.ts')));
  assert.ok(missing.some((e) => e.includes('f32_sub_scalar: no file blas/f32-sub-scalar.ts')), missing.join('\n'));
  const named = brokenCopy((dir) => editManifest(dir, (m) => { m.folders.blas!.push({ name: 'dot_fast', isa: 'simd', what: 'x', signature: '(): void' }); }));
  assert.ok(named.some((e) => e.includes('dot_fast: a kernel is named dtype_op[_tile]_isa')), named.join('\n'));
});
