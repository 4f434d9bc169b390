// Run by bench/run.ts in a Node started with --experimental-wasm-relaxed-simd (Node 20 keeps
// relaxed SIMD behind that flag): the forward convolution and the dense transpose of the large
// layers with the relaxed-SIMD module (fused multiply-add) and the baseline SIMD module,
// interleaved call by call. Prints one JSON line of raw per-call times (ms).
import { load } from '../src/index.js';

const shapes = [[64, 64, 56], [256, 256, 28], [512, 512, 15]] as const;
const relaxed = await load({ backend: 'relaxed' });
const simd = await load({ backend: 'simd' });
const out: Record<string, Record<string, number[]>> = {};
for (const [M, K, H] of shapes) {
  const opts = { inChannels: M, outChannels: K, kernelSize: 3, height: H, width: H, padding: 'same' } as const;
  const ops = { relaxed: relaxed.conv2d(opts).randomize({ seed: 1 }), simd: simd.conv2d(opts).randomize({ seed: 1 }) };
  const x = simd.randn(ops.simd.inputSize, { seed: 2 });
  const z = simd.randn(ops.simd.outputSize, { seed: 3 });
  const h = new Float32Array(ops.simd.outputSize);
  const xt = new Float32Array(ops.simd.inputSize);
  const times: Record<string, number[]> = { 'forward relaxed': [], 'forward simd': [], 'transpose relaxed': [], 'transpose simd': [] };
  const rounds = 12;
  for (let r = 0; r < rounds + 2; r++) {
    for (const name of (r % 2 === 0 ? ['relaxed', 'simd'] : ['simd', 'relaxed']) as Array<'relaxed' | 'simd'>) {
      let t0 = performance.now();
      ops[name].forward(x, h);
      const f = performance.now() - t0;
      t0 = performance.now();
      ops[name].transpose(z, xt);
      const t = performance.now() - t0;
      if (r >= 2) { // the first two rounds warm up (tier-up to the optimizing compiler)
        times[`forward ${name}`]!.push(f);
        times[`transpose ${name}`]!.push(t);
      }
    }
  }
  out[`${M}-${K}-${H}`] = times;
  ops.relaxed.dispose();
  ops.simd.dispose();
}
process.stdout.write(JSON.stringify({ backend: relaxed.backend, times: out }) + '\n');
