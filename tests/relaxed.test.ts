// The relaxed-SIMD module (f32x4.relaxed_madd): opt-in, and within 1e-5 of the baseline module
// and of the PyTorch golden vectors. Node 20 enables relaxed SIMD only behind a flag, so the
// comparison runs in a child process started with it.
import { test } from 'node:test';
import assert from './assert.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load, relaxedSimdSupported } from '../src/index.js';

test('relaxed SIMD is never chosen automatically, and is refused clearly where unsupported', async () => {
  const cs = await load();
  assert.notEqual(cs.backend, 'relaxed');
  if (!relaxedSimdSupported()) {
    await assert.rejects(load({ backend: 'relaxed' }), (e: unknown) => e instanceof RangeError && /relaxed SIMD/.test((e as Error).message));
  } else {
    assert.equal((await load({ backend: 'relaxed' })).backend, 'relaxed');
  }
});

test('the relaxed-SIMD module agrees with the SIMD module and the golden vectors within 1e-5', () => {
  const child = fileURLToPath(new URL('./children/relaxed-child.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', child], { encoding: 'utf8', timeout: 120_000 });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { supported: boolean; backend: string; worstGolden: number; worstVsSimd: number; cases: number };
  assert.equal(r.supported, true);
  assert.equal(r.backend, 'relaxed');
  assert.ok(r.cases > 20, 'golden cases were run');
  assert.ok(r.worstGolden <= 1e-5, `relaxed vs PyTorch: ${r.worstGolden}`);
  assert.ok(r.worstVsSimd <= 1e-5, `relaxed vs SIMD: ${r.worstVsSimd}`);
});
