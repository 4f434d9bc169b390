// One conformance run over convcs's public API, shared by every runtime the package supports.
//
// Plain JavaScript with no imports, so Node (ESM and CommonJS), Chromium (page and worker), Deno,
// Bun and workerd all run this very file. Each runtime imports convcs its own way and passes the
// namespace (or just its `load`) in; the run returns SHA-256 digests of every output, one per
// module. Equal digests across runtimes mean equal bits, which is the portability claim: every
// input is drawn from a seed, and the kernels and the facade use only IEEE-exact operations.

/** What `load()` is, wherever it came from. */
function loaderOf(convcs) {
  const load = typeof convcs === 'function' ? convcs : convcs?.load;
  if (typeof load !== 'function') throw new TypeError('conformance: pass the convcs namespace or its load function');
  return load;
}

/**
 * Run the fixed workload on one instance and return its outputs as [name, value] pairs, in a
 * fixed order. Values are typed arrays or numbers. Sizes are small (a run takes well under a
 * second) but reach every kernel: conv1d/conv2d forward and dense transpose (with strides,
 * padding, a batch and channel counts off the SIMD tile sizes), the sparse transpose, both
 * projection modes, the samplers, IHT and the model-RIP.
 */
export function conformanceOutputs(cs) {
  const out = [];
  const put = (name, value) => out.push([name, value]);

  // conv1d: stride 2, padding 2, a batch of two inputs; 12 filters is one full tile of 8 plus a tail.
  const W1 = cs.conv1d({ inChannels: 5, outChannels: 12, kernelSize: 5, length: 37, stride: 2, padding: 2 });
  W1.randomize({ seed: 101 });
  put('conv1d.weights', W1.getWeights());
  const x1 = cs.randn(2 * W1.inputSize, { seed: 102 });
  const h1 = W1.forward(x1);
  put('conv1d.forward', h1);
  put('conv1d.transpose', W1.transpose(h1));
  const p1 = cs.project(h1.subarray(0, W1.outputSize), { shape: W1.outputShape, pool: 2, density: 0.1 });
  put('conv1d.project.abs.z', p1.z);
  put('conv1d.project.abs.support', p1.support);
  put('conv1d.transposeSparse', W1.transposeSparse(p1.support, Float32Array.from(p1.support, (i) => p1.z[i])));

  // conv2d, 'same' padding and stride 1: the SIMD forward kernel's main 4x8 tiles.
  const W2 = cs.conv2d({ inChannels: 3, outChannels: 16, kernelSize: 3, height: 12, width: 12, padding: 'same' });
  W2.randomize({ seed: 201 });
  put('conv2d.same.weights', W2.getWeights());
  const x2 = cs.randn(W2.inputSize, { seed: 202 });
  const h2 = W2.forward(x2);
  put('conv2d.same.forward', h2);
  put('conv2d.same.transpose', W2.transpose(h2));
  const p2 = cs.project(h2, { shape: W2.outputShape, pool: [2, 3], k: 7, mode: 'relu' });
  put('conv2d.same.project.relu.z', p2.z);
  put('conv2d.same.project.relu.support', p2.support);
  put('conv2d.same.transposeSparse', W2.transposeSparse(p2.support, Float32Array.from(p2.support, (i) => p2.z[i])));

  // conv2d, non-square kernel, strides (2, 1), asymmetric padding, unit-norm filters.
  const W3 = cs.conv2d({ inChannels: 4, outChannels: 10, kernelSize: [3, 2], height: 13, width: 11, stride: [2, 1], padding: [1, 0] });
  W3.randomize({ seed: 301, normalize: 'unit' });
  put('conv2d.strided.weights', W3.getWeights());
  const h3 = W3.forward(cs.randn(W3.inputSize, { seed: 302 }));
  put('conv2d.strided.forward', h3);
  put('conv2d.strided.transpose', W3.transpose(h3));
  const p3 = cs.project(h3, { shape: W3.outputShape, pool: 'global', k: 4 });
  put('conv2d.strided.project.abs.support', p3.support);
  put('conv2d.strided.transposeSparse', W3.transposeSparse(p3.support, Float32Array.from(p3.support, (i) => p3.z[i])));

  // conv2d, Winograd F(2x2, 3x3) and F(4x4, 3x3), the algorithms 'auto' picks for 3x3 stride-1
  // layers (F(4x4) only on wide layers and large images, so forced here on a small one): forward
  // and dense transpose, with tiles cut at the right and bottom edges.
  for (const algorithm of ['winograd', 'winograd4x4']) {
    const Wn = cs.conv2d({ inChannels: 9, outChannels: 8, kernelSize: 3, height: 11, width: 14, padding: 'same', algorithm });
    Wn.randomize({ seed: 701 });
    const hn = Wn.forward(cs.randn(Wn.inputSize, { seed: 702 }));
    put(`conv2d.${algorithm}.forward`, hn);
    put(`conv2d.${algorithm}.transpose`, Wn.transpose(hn));
    Wn.dispose();
  }

  // The samplers, at an offset into a non-zero stream (counter-based: any slice on its own).
  put('randn', cs.randn(1001, { seed: 401, stream: 4, start: 12345 }));
  put('rand', cs.rand(999, { seed: 402, stream: 1, low: -2, high: 3 }));

  // IHT (Algorithm 1) on the paper's kind of layer: recover a random model-4-sparse code. A fixed
  // number of iterations (tolerance 0 stops only at an exact fixed point) keeps the run's length
  // independent of rounding, so the two modules stay comparable entry by entry.
  const W4 = cs.conv1d({ inChannels: 8, outChannels: 24, kernelSize: 5, length: 32 });
  W4.randomize({ seed: 501 });
  const code = cs.sampleModelSparse(W4.outputShape, { pool: 'global', k: 4, seed: 502 });
  put('sampleModelSparse.z', code.z);
  put('sampleModelSparse.support', code.support);
  const x4 = W4.transpose(code.z);
  for (const step of ['unit', 'normalized']) {
    const r = cs.iht(W4, x4, { pool: 'global', k: 4, iterations: 12, tolerance: 0, step });
    put(`iht.${step}.z`, r.z);
    put(`iht.${step}.support`, r.support);
    put(`iht.${step}.xHat`, r.xHat);
    put(`iht.${step}.history`, r.history);
    put(`iht.${step}.relativeError`, r.relativeError);
    put(`iht.${step}.iterations`, r.iterations);
  }

  // A small model-RIP run (Figure 2's statistics over 50 codes), and one with 2x2 pooling.
  const rip1 = cs.rip(W4, { pool: 'global', k: 3, trials: 50, seed: 601 });
  const rip2 = cs.rip(W2, { pool: 2, k: 5, trials: 50, seed: 602, values: 'sign' });
  for (const [name, r] of [['rip.global', rip1], ['rip.pool2', rip2]]) {
    put(`${name}.forward`, r.forward);
    put(`${name}.gram`, r.gram);
    put(`${name}.reconstruction`, r.reconstruction);
    put(`${name}.deltaK`, r.deltaK);
    put(`${name}.delta2K`, r.delta2K);
    put(`${name}.bound`, r.bound);
  }

  // Layers large enough that an instance with threads splits them (PARALLEL_MIN_WORK): Winograd
  // F(2x2) and F(4x4) split by tiles, the direct forward by blocks of 8 filters, the
  // pixel-vectorized forward and transpose by rows, the grouped sparse transposes by rows of the
  // output; and NIHT on the Winograd layer, dense enough for the split Winograd transpose.
  const big = [
    ['winograd', { inChannels: 32, outChannels: 32, kernelSize: 3, height: 23, width: 25, padding: 'same' }],
    ['winograd4x4', { inChannels: 32, outChannels: 32, kernelSize: 3, height: 23, width: 25, padding: 'same', algorithm: 'winograd4x4' }],
    ['direct', { inChannels: 8, outChannels: 28, kernelSize: 3, height: 41, width: 39, stride: 2, padding: 1 }],
    ['pixel', { inChannels: 3, outChannels: 4, kernelSize: 3, height: 61, width: 67, padding: 'same' }],
  ];
  for (const [name, options] of big) {
    const Wb = cs.conv2d(options);
    Wb.randomize({ seed: 801 });
    const hb = Wb.forward(cs.randn(Wb.inputSize, { seed: 802 }));
    put(`threads.${name}.forward`, hb);
    put(`threads.${name}.transpose`, Wb.transpose(hb));
    if (name === 'winograd' || name === 'pixel') {
      // the sparse transpose of a quarter of the code (the grouped kernels, split by rows)
      const p = cs.project(hb, { shape: Wb.outputShape, pool: 2, density: 0.25 });
      put(`threads.${name}.transposeSparse`, Wb.transposeSparse(p.support, Float32Array.from(p.support, (i) => p.z[i])));
    }
    if (name === 'winograd') {
      const r = cs.iht(Wb, Wb.transpose(hb), { pool: 1, density: 0.4, iterations: 6, tolerance: 0, step: 'normalized' });
      put('threads.iht.z', r.z);
      put('threads.iht.xHat', r.xHat);
    }
    Wb.dispose();
  }

  for (const W of [W1, W2, W3, W4]) W.dispose();
  return out;
}

const TAGS = { Float32Array: 1, Float64Array: 2, Int32Array: 3, number: 4 };

/**
 * Serialize outputs to bytes: per entry its name, a type tag, its length and its elements, all
 * little-endian through a DataView so the bytes do not depend on the host's byte order. NaN is
 * refused: its payload bits do not survive a trip through a JS number, so it could not be
 * compared bit for bit (and no output of the workload should be NaN).
 */
export function serialize(outputs) {
  const enc = new TextEncoder();
  const parts = [];
  let total = 0;
  for (const [name, value] of outputs) {
    const kind = typeof value === 'number' ? 'number' : value?.constructor?.name;
    const tag = TAGS[kind];
    if (tag === undefined) throw new TypeError(`conformance: output ${name} is a ${kind}`);
    const values = typeof value === 'number' ? [value] : value;
    const nameBytes = enc.encode(name);
    const width = tag === 1 || tag === 3 ? 4 : 8;
    const buf = new ArrayBuffer(4 + nameBytes.length + 1 + 4 + width * values.length);
    const bytes = new Uint8Array(buf);
    const dv = new DataView(buf);
    dv.setUint32(0, nameBytes.length, true);
    bytes.set(nameBytes, 4);
    let o = 4 + nameBytes.length;
    dv.setUint8(o, tag);
    dv.setUint32(o + 1, values.length, true);
    o += 5;
    for (let i = 0; i < values.length; i++, o += width) {
      const v = values[i];
      if (Number.isNaN(v)) throw new RangeError(`conformance: output ${name}[${i}] is NaN`);
      if (tag === 1) dv.setFloat32(o, v, true);
      else if (tag === 3) dv.setInt32(o, v, true);
      else dv.setFloat64(o, v, true);
    }
    parts.push(bytes);
    total += bytes.length;
  }
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

/** Lower-case hex SHA-256 of the serialized outputs (Web Crypto: present in every target). */
export async function digest(outputs) {
  const hash = await crypto.subtle.digest('SHA-256', serialize(outputs));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The conformance run: `load()` with no options (which module the runtime picks by default),
 * then the workload on the SIMD module and on the scalar module, on one thread and again on
 * instances asking for 2 and 4 threads (which run on one where threads cannot run).
 * Returns { default: 'simd' | 'scalar', simd: hex, scalar: hex, ms,
 *   threads: { 2: { simd, scalar, running, note }, 4: { ... } } }.
 */
export async function conformance(convcs) {
  const load = loaderOf(convcs);
  const t0 = performance.now();
  const byDefault = (await load()).backend;
  const result = { default: byDefault, threads: {} };
  for (const threads of [1, 2, 4]) {
    const into = threads === 1 ? result : (result.threads[threads] = {});
    for (const backend of ['simd', 'scalar']) {
      const cs = await load(threads === 1 ? { backend } : { backend, threads });
      if (cs.backend !== backend) throw new Error(`conformance: load({ backend: '${backend}' }) gave ${cs.backend}`);
      into[backend] = await digest(conformanceOutputs(cs));
      if (threads > 1) {
        into.running = cs.threads;
        into.note = cs.threadsNote ?? null;
        cs.closeThreads();
      }
    }
  }
  result.ms = Math.round(performance.now() - t0);
  return result;
}
