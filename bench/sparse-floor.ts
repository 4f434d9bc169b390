// `node --import tsx bench/sparse-floor.ts`: how far the sparse transpose of the 3->64 224x224
// layer (issue 17's target 4: 40% of the SIMD ceiling at 25% density) is from what its work
// allows. Alternating in one process on one thread, on the code the bench row uses:
//   - the public transposeSparse (what `npm run bench` times),
//   - the internal call it makes (zeroing the accumulator, the 3x3c4 kernel, the crop),
//   - the kernel's own walk alone (a copy of its loop for one thread, stride 1: no zeroing, no
//     crop), on the real accumulator,
//   - the same walk with each non-zero's patch moved to a place of its own (64 places side by
//     side, a 9 KB accumulator): the same instructions, but no patch overlaps the last ones and
//     everything stays in L1, so what it saves is what the accumulator's memory costs,
//   - a floor: each non-zero's 9 weight vectors multiplied by its value and added into 9
//     registers, with no accumulator in memory and no walk over the code's rows. It computes
//     nothing useful; no sparse transpose that reads each non-zero's filter once can be faster
//     on this engine.
// Each as a share of the SIMD ceiling measured in the same run (bench/ceiling.ts), counting
// 2·nnz·M·kh·kw flops as the bench table does. Writes bench/results/<date>-sparse-floor.md.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import asc from 'assemblyscript/asc';
import { load } from '../src/index.js';
import { measureCeiling } from './ceiling.js';

// The floor, in AssemblyScript: per non-zero, its value and its filter (the byte offset of the
// filter's 9 vectors, worked out beforehand from its index, so not even the walk over code rows
// is timed), 9 weight loads and 9 multiply-adds, and nothing written. Beside it the kernel's walk
// (f32_conv2d_transpose_sparse_3x3c4_simd's loop for a whole accumulator at stride 1), and the
// same walk with patch i at place i mod 64 of a 3-row accumulator of 64 patches.
const FLOOR_SOURCE = `
export function alloc(bytes: i32): usize { return heap.alloc(<usize>bytes); }
export function walk(idx: usize, val: usize, nnz: i32, Ho: i32, Wo: i32, w4: usize, Wp: i32, xc: usize): void {
  walkTo(idx, val, nnz, Ho, Wo, w4, Wp, xc, false);
}
export function walkApart(idx: usize, val: usize, nnz: i32, Ho: i32, Wo: i32, w4: usize, xc: usize): void {
  walkTo(idx, val, nnz, Ho, Wo, w4, 64 * 3, xc, true);
}
// @ts-ignore: decorator
@inline function walkTo(idx: usize, val: usize, nnz: i32, Ho: i32, Wo: i32, w4: usize, Wp: i32, xc: usize, apart: bool): void {
  const P = Ho * Wo;
  const rowBytes = <usize>Wp << 4;
  let rowBase = i32.MIN_VALUE; let row: usize = 0; let w: usize = 0;
  for (let i = 0; i < nnz; i++) {
    const flat = load<i32>(idx + (<usize>i << 2));
    const v = load<f32>(val + (<usize>i << 2));
    if (v == 0) continue;
    let ox = flat - rowBase;
    if (<u32>ox >= <u32>Wo) {
      const k = <i32>(<u32>flat / <u32>P); const p = flat - k * P; const oy = <i32>(<u32>p / <u32>Wo);
      ox = p - oy * Wo; rowBase = flat - ox; row = xc + <usize>oy * rowBytes; w = w4 + <usize>k * 144;
    }
    const vv = f32x4.splat(v);
    const d = apart ? xc + <usize>(i & 63) * 48 : row + (<usize>ox << 4);
    tapRow(d, vv, w); tapRow(d + rowBytes, vv, w + 48); tapRow(d + 2 * rowBytes, vv, w + 96);
  }
}
// @ts-ignore: decorator
@inline function tapRow(d: usize, vv: v128, w: usize): void {
  v128.store(d, f32x4.add(v128.load(d), f32x4.mul(vv, v128.load(w))));
  v128.store(d, f32x4.add(v128.load(d, 16), f32x4.mul(vv, v128.load(w, 16))), 16);
  v128.store(d, f32x4.add(v128.load(d, 32), f32x4.mul(vv, v128.load(w, 32))), 32);
}
export function floor(filterOffset: usize, val: usize, nnz: i32, w4: usize, out: usize): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0;
  for (let i = 0; i < nnz; i++) {
    const w = w4 + <usize>load<i32>(filterOffset + (<usize>i << 2));
    const vv = f32x4.splat(load<f32>(val + (<usize>i << 2)));
    a0 = f32x4.add(a0, f32x4.mul(vv, v128.load(w))); a1 = f32x4.add(a1, f32x4.mul(vv, v128.load(w, 16)));
    a2 = f32x4.add(a2, f32x4.mul(vv, v128.load(w, 32))); a3 = f32x4.add(a3, f32x4.mul(vv, v128.load(w, 48)));
    a4 = f32x4.add(a4, f32x4.mul(vv, v128.load(w, 64))); a5 = f32x4.add(a5, f32x4.mul(vv, v128.load(w, 80)));
    a6 = f32x4.add(a6, f32x4.mul(vv, v128.load(w, 96))); a7 = f32x4.add(a7, f32x4.mul(vv, v128.load(w, 112)));
    a8 = f32x4.add(a8, f32x4.mul(vv, v128.load(w, 128)));
  }
  // kept alive: the sums
  v128.store(out, f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, f32x4.add(a7, a8)))));
}
`;

async function compileFloor(): Promise<Uint8Array<ArrayBuffer>> {
  const { error, binary, stderr } = await asc.compileString(FLOOR_SOURCE, { optimizeLevel: 3, runtime: 'stub', enable: ['simd'], initialMemory: 256 });
  if (error || !binary) throw new Error(`asc: ${error?.message ?? ''} ${stderr.toString()}`);
  return new Uint8Array(binary); // a copy on an ArrayBuffer of its own
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1]!;
}

const cs = await load({ backend: 'simd', threads: 1 });
const W = cs.conv2d({ inChannels: 3, outChannels: 64, kernelSize: 3, height: 224, width: 224, padding: 'same' }).randomize({ seed: 1 });
const h = W.forward(cs.randn(W.inputSize, { seed: 2 }));
const code = cs.project(h, { shape: W.outputShape, pool: 2, density: 0.25 });
const values = Float32Array.from(code.support, (i) => code.z[i]!);
const nnz = code.support.length;
const flops = 2 * nnz * 3 * 9;

const floorModule = await WebAssembly.compile(await compileFloor());
const instance = await WebAssembly.instantiate(floorModule, { env: { abort() { throw new Error('abort'); } } });
const floorExports = instance.exports as unknown as {
  memory: WebAssembly.Memory; alloc(bytes: number): number;
  floor(filterOffset: number, val: number, nnz: number, w4: number, out: number): void;
  walk(idx: number, val: number, nnz: number, Ho: number, Wo: number, w4: number, Wp: number, xc: number): void;
  walkApart(idx: number, val: number, nnz: number, Ho: number, Wo: number, w4: number, xc: number): void;
};
const offsetPtr = floorExports.alloc(nnz * 4), valPtr = floorExports.alloc(nnz * 4);
const w4Ptr = floorExports.alloc(64 * 144), outPtr = floorExports.alloc(32);
// the walks: the code's indices, the padded 226x226 accumulator and the 64 places side by side
const idxPtr = floorExports.alloc(nnz * 4), accPtr = floorExports.alloc(226 * 226 * 16), apartPtr = floorExports.alloc(3 * 64 * 48);
new Int32Array(floorExports.memory.buffer, idxPtr, nnz).set(code.support);
// filter k of index k·224·224 + pixel: 9 f32x4 (144 bytes) each
new Int32Array(floorExports.memory.buffer, offsetPtr, nnz).set(Int32Array.from(code.support, (i) => Math.floor(i / (224 * 224)) * 144));
new Float32Array(floorExports.memory.buffer, valPtr, nnz).set(values);
// any weights: the floor's time does not depend on them
new Float32Array(floorExports.memory.buffer, w4Ptr, 64 * 36).set(cs.randn(64 * 36, { seed: 3 }));

// The internal call on the operator's own copies of the code (what the public call runs after
// copying and checking them).
const internal = W as unknown as { grown: { idx: number; val: number }; inputPtr: number; transposeSparsePtr(i: number, v: number, n: number, o: number): void };
const out = new Float32Array(W.inputSize);
W.transposeSparse(code.support, values, out);

const contenders: Array<[string, () => void]> = [
  ['public transposeSparse (the bench row)', () => W.transposeSparse(code.support, values, out)],
  ['internal call: zero, kernel, crop', () => internal.transposeSparsePtr(internal.grown.idx, internal.grown.val, nnz, internal.inputPtr)],
  ['the kernel\'s walk alone (no zeroing, no crop)', () => floorExports.walk(idxPtr, valPtr, nnz, 224, 224, w4Ptr, 226, accPtr)],
  ['the same walk, each patch in a place of its own (no overlap, 9 KB)', () => floorExports.walkApart(idxPtr, valPtr, nnz, 224, 224, w4Ptr, apartPtr)],
  ['floor: per non-zero 9 weight loads and multiply-adds, nothing stored', () => floorExports.floor(offsetPtr, valPtr, nnz, w4Ptr, outPtr)],
];
const samples = contenders.map(() => [] as number[]);
for (const [, f] of contenders) for (let i = 0; i < 10; i++) f();
const ceilingBefore = await measureCeiling({ chainCounts: [12], rounds: 2 });
for (let r = 0; r < 10; r++) {
  contenders.forEach(([, f], j) => {
    const t: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }
    samples[j]!.push(median(t));
  });
}
const ceilingAfter = await measureCeiling({ chainCounts: [12], rounds: 2 });
const ceiling = Math.max(ceilingBefore.simd, ceilingAfter.simd);

const date = new Date().toISOString().slice(0, 10);
const lines = [
  '<!-- generated by `node --import tsx bench/sparse-floor.ts`: do not edit by hand -->',
  '',
  `Measured ${date} on ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}, one thread. ` +
    `conv2d 3→64 on 224×224, 3×3 'same', a code of ${nnz} non-zeros (25%, pool 2); ${(flops / 1e6).toFixed(1)} MFLOP counted (2·nnz·M·kh·kw). ` +
    `SIMD ceiling ${ceiling.toFixed(1)} GFLOP/s (f32x4 mul + add, 12 chains, the better of a run before and one after). ` +
    'Medians of 10 rounds of 20 calls each, the contenders alternating.',
  '',
  '| contender | median ms | % ceiling |',
  '| --- | ---: | ---: |',
  ...contenders.map(([name], j) => {
    const ms = median(samples[j]!);
    return `| ${name} | ${ms.toFixed(2)} | ${((100 * flops) / (ms * 1e6) / ceiling).toFixed(0)}% |`;
  }),
  `| 40% of the ceiling (issue 17, target 4) | ${(flops / (0.4 * ceiling * 1e6)).toFixed(2)} | 40% |`,
  '',
];
const text = lines.join('\n');
console.log(text);
writeFileSync(new URL(`./results/${date}-sparse-floor.md`, import.meta.url), text);
