// TensorFlow.js with its WebAssembly backend (XNNPACK kernels) as the peer: tfjs-core and
// tfjs-backend-wasm 4.22, one thread, the wasm binaries read from the package's dist/ folder.
// Which of the three binaries it loaded (plain, SIMD, threaded SIMD) is not taken on trust: the
// bytes handed to WebAssembly.instantiate while the backend initialises are compared with each
// file in dist/.

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs-core');

export interface TfjsInfo {
  ok: boolean;
  /** Why it could not run, when ok is false. */
  error?: string;
  version?: string;
  backend?: string;
  distDir?: string;
  /** The dist/ file whose bytes were instantiated ('unknown' if none matched). */
  binary?: string;
  binaryBytes?: number;
  binarySha256?: string;
  /** tfjs's own feature flags and thread count after setThreadsCount(1). */
  simdFlag?: boolean;
  multithreadFlag?: boolean;
  threads?: number;
  initMs?: number;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function toBytes(source: unknown): Uint8Array | undefined {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  return undefined;
}

/** Import tfjs, set the wasm backend up with one thread, and find out which binary it runs. */
export async function initTfjs(): Promise<{ tf?: Tf; info: TfjsInfo }> {
  const t0 = performance.now();
  const seen: Uint8Array[] = [];
  const original = WebAssembly.instantiate;
  try {
    const tf: Tf = await import('@tensorflow/tfjs-core');
    const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const distDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasmBackend.setWasmPaths(distDir);
    wasmBackend.setThreadsCount(1);
    // Watch the bytes instantiated while the backend starts (restored right after).
    (WebAssembly as { instantiate: unknown }).instantiate = function (source: unknown, imports?: WebAssembly.Imports) {
      const bytes = toBytes(source);
      if (bytes) seen.push(bytes.slice());
      return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>).call(WebAssembly, source, imports);
    };
    let ok: boolean;
    try {
      ok = await tf.setBackend('wasm');
      await tf.ready();
    } finally {
      WebAssembly.instantiate = original;
    }
    if (!ok || tf.getBackend() !== 'wasm') throw new Error(`tf.setBackend('wasm') returned ${ok}; backend is ${tf.getBackend()}`);
    const files = readdirSync(distDir).filter((f) => f.endsWith('.wasm'));
    const hashes = new Map(files.map((f) => [sha256(readFileSync(path.join(distDir, f))), f]));
    const loaded = seen.map((b) => ({ bytes: b.byteLength, hash: sha256(b) }));
    const match = loaded.find((l) => hashes.has(l.hash));
    const info: TfjsInfo = {
      ok: true,
      version: tf.version_core,
      backend: tf.getBackend(),
      distDir,
      binary: match ? hashes.get(match.hash)! : `unknown (${loaded.length} module(s) instantiated)`,
      binaryBytes: match?.bytes ?? loaded[0]?.bytes,
      binarySha256: match?.hash ?? loaded[0]?.hash,
      simdFlag: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
      multithreadFlag: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
      threads: wasmBackend.getThreadsCount(),
      initMs: performance.now() - t0,
    };
    return { tf, info };
  } catch (e) {
    WebAssembly.instantiate = original;
    return { info: { ok: false, error: e instanceof Error ? e.message : String(e) } };
  }
}

/** [M][H][W] -> [H][W][M] */
export function chwToHwc(x: Float32Array, M: number, H: number, W: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let m = 0; m < M; m++) for (let i = 0; i < H * W; i++) out[i * M + m] = x[m * H * W + i]!;
  return out;
}

/** [H][W][M] -> [M][H][W] */
export function hwcToChw(x: Float32Array, M: number, H: number, W: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let m = 0; m < M; m++) for (let i = 0; i < H * W; i++) out[m * H * W + i] = x[i * M + m]!;
  return out;
}

/** PyTorch weights [K][M][kh][kw] -> TensorFlow filter [kh][kw][M][K]. */
export function oihwToHwio(w: Float32Array, K: number, M: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) out[((y * kw + x) * M + m) * K + k] = w[((k * M + m) * kh + y) * kw + x]!;
      }
    }
  }
  return out;
}
