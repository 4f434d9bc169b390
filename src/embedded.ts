// The modules as base64 strings inside the entry (src/generated/wasm.ts, written by
// scripts/build-wasm.mjs), so that load() needs no file system, fetch or URL: the source of the
// default entries (index.mjs, index.cjs, convcs.browser.mjs).

import { simdWasmBase64, scalarWasmBase64, relaxedWasmBase64 } from './generated/wasm.js';
import type { Backend, ModuleSource } from './instance.js';
import { withSharedMemory } from './threads/shared-module.js';

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const bytesCache: Partial<Record<Backend, Uint8Array<ArrayBuffer>>> = {};
const moduleCache: Partial<Record<Backend, Promise<WebAssembly.Module>>> = {};
const sharedCache: Partial<Record<Backend, Promise<WebAssembly.Module>>> = {};

/** The embedded bytes of one module (decoded once). */
export function wasmBytes(backend: Backend): Uint8Array<ArrayBuffer> {
  const b64 = backend === 'simd' ? simdWasmBase64 : backend === 'relaxed' ? relaxedWasmBase64 : scalarWasmBase64;
  return (bytesCache[backend] ??= decodeBase64(b64));
}

// An engine's answer does not change while it runs, and validating a module is slow in some
// engines (JavaScriptCore), so every load() after the first reuses it.
const validated: Partial<Record<Backend, boolean>> = {};

/** Whether this engine accepts the relaxed-SIMD module (Node 22+, Chrome 114+; Node 20 needs --experimental-wasm-relaxed-simd). */
export function relaxedSimdSupported(): boolean {
  return (validated.relaxed ??= WebAssembly.validate(wasmBytes('relaxed')));
}

/** Whether this engine accepts the SIMD module. */
export function simdSupported(): boolean {
  return (validated.simd ??= WebAssembly.validate(wasmBytes('simd')));
}

export const embeddedModules: ModuleSource = {
  unavailable(backend) {
    if (backend === 'simd' && !simdSupported()) return 'this engine does not support WebAssembly SIMD';
    if (backend === 'relaxed' && !relaxedSimdSupported()) {
      return 'this engine does not support relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd; Node 22+ and Chrome 114+ have it)';
    }
    return undefined;
  },
  compile: (backend) => (moduleCache[backend] ??= WebAssembly.compile(wasmBytes(backend))),
  compileShared: (backend) => (sharedCache[backend] ??= WebAssembly.compile(withSharedMemory(wasmBytes(backend)))),
};
