// The WebAssembly f32 ceiling probe, assembled here byte by byte: no wabt (nor any compiler) at run
// time, so the same probe runs in Node, Deno, Bun, a browser and workerd. It is the loop of
// bench/ceiling.ts: C independent chains of c = c * a + b, unrolled four times, no memory traffic;
// tests/bench-portable.test.ts checks that every function here returns what that WAT, compiled
// by wabt, returns. One module per ISA (an engine without SIMD can still run the scalar one),
// exporting one function per chain count: `c4(n, a, b) -> f32` runs n loop iterations of 4 chains.
//
// workerd refuses to compile wasm from bytes at run time: there the modules are imported as
// precompiled .wasm files (ceilingWasm() gives their bytes to write), and passed in as
// WebAssembly.Module objects.

export type CeilingIsa = 'simd' | 'scalar';

/** Steps of every chain per loop iteration. */
export const CEILING_UNROLL = 4;
/** The chain counts each module exports. */
export const CEILING_CHAINS: Record<CeilingIsa, readonly number[]> = { simd: [1, 4, 8, 12, 16], scalar: [4, 8, 12] };

/** Flops of one call of `c<chains>(n)`: a multiply and an add per lane per chain step. */
export function ceilingFlops(isa: CeilingIsa, chains: number, n: number): number {
  return n * CEILING_UNROLL * chains * 2 * (isa === 'simd' ? 4 : 1);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function f32Bytes(value: number): number[] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return [view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3)];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = Array.from(text, (c) => c.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const SIMD = 0xfd;

/** The body of one probe function (locals: 0 n, 1 x, 2 y, 3 a, 4 b, 5.. the chains). */
function body(isa: CeilingIsa, chains: number): number[] {
  const simd = isa === 'simd';
  const get = (i: number): number[] => [0x20, ...uleb(i)];
  const set = (i: number): number[] => [0x21, ...uleb(i)];
  const mul = simd ? [SIMD, ...uleb(230)] : [0x94];
  const add = simd ? [SIMD, ...uleb(228)] : [0x92];
  const splat = simd ? [SIMD, ...uleb(19)] : [];
  const code: number[] = [];
  code.push(...get(1), ...splat, ...set(3), ...get(2), ...splat, ...set(4));
  for (let i = 0; i < chains; i++) {
    // Starts in [1, 2), as bench/ceiling.ts writes them (six decimals): with a = b = 0.5 every
    // chain converges to 1, never denormal, infinite or NaN.
    const start = f32Bytes(Number((1 + i / chains).toFixed(6)));
    code.push(...(simd ? [SIMD, ...uleb(12), ...start, ...start, ...start, ...start] : [0x43, ...start]), ...set(5 + i));
  }
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop
  code.push(...get(0), 0x41, 0x00, 0x4c, 0x0d, 0x01); // br_if out when n <= 0
  for (let u = 0; u < CEILING_UNROLL; u++) {
    for (let i = 0; i < chains; i++) code.push(...get(5 + i), ...get(3), ...mul, ...get(4), ...add, ...set(5 + i));
  }
  code.push(...get(0), 0x41, 0x01, 0x6b, ...set(0), 0x0c, 0x00); // n -= 1; continue
  code.push(0x0b, 0x0b); // end loop, end block
  // Sum the chains so that none is dead code.
  code.push(...get(5));
  for (let i = 1; i < chains; i++) code.push(...get(5 + i), ...add);
  if (simd) code.push(SIMD, ...uleb(31), 0x00); // f32x4.extract_lane 0
  code.push(0x0b);
  const locals = [0x01, ...uleb(2 + chains), simd ? V128 : F32];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/** The probe module of one ISA, as wasm bytes. */
export function ceilingWasm(isa: CeilingIsa): Uint8Array<ArrayBuffer> {
  const chains = CEILING_CHAINS[isa];
  const types = section(1, [0x01, 0x60, 0x03, I32, F32, F32, 0x01, F32]);
  const funcs = section(3, [...uleb(chains.length), ...chains.map(() => 0x00)]);
  const exports = section(7, [...uleb(chains.length), ...chains.flatMap((c, i) => [...name(`c${c}`), 0x00, ...uleb(i)])]);
  const code = section(10, [...uleb(chains.length), ...chains.flatMap((c) => body(isa, c))]);
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...funcs, ...exports, ...code]);
}

export type CeilingFn = (n: number, a: number, b: number) => number;

/** Where the probe modules come from: compiled here from ceilingWasm(), or given precompiled. */
export type CeilingModules = Partial<Record<CeilingIsa, WebAssembly.Module>>;

/** The probe functions of one ISA, by chain count. */
export async function ceilingFunctions(isa: CeilingIsa, given?: WebAssembly.Module): Promise<Map<number, CeilingFn>> {
  const module = given ?? await WebAssembly.compile(ceilingWasm(isa));
  const instance = await WebAssembly.instantiate(module, {});
  return new Map(CEILING_CHAINS[isa].map((c) => [c, instance.exports[`c${c}`] as CeilingFn]));
}
