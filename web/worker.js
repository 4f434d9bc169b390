// The demo's Web Worker: all computation happens here so the page stays responsive. It receives
// the decoded photograph (RGBA) and the settings and runs the CLI's own experiment
// (convcs-cli/experiment: the same pixels-to-planes, layer, sparsity and IHT as
// `convcs reconstruct`), posting the current reconstruction and its error after every iteration,
// then a small model-RIP run of the same layer for the histogram.
//
// Threads: the instance asks for as many as the machine has (load({ threads: 'auto' })), or for
// the count in this script's own query string (worker.js?threads=1, which the page passes on from
// its own URL). They run where the page is cross-origin isolated (web/serve.mjs sends the
// headers); elsewhere convcs runs on one thread and cs.threadsNote says why, which the page shows.
// Every thread count gives the same bits, so the reconstruction does not depend on it.
import { load } from 'convcs';
import { imageLayer, imageSparsity, psnr, reconstructImage, relativeError, ripHistogram, toPlanes, toRgba } from 'convcs-cli/experiment';

/** The threads to ask for: ?threads=N (a positive integer) or 'auto'. */
function threadsAsked() {
  const q = new URL(self.location.href).searchParams.get('threads');
  return q !== null && /^[1-9]\d*$/.test(q) ? Number(q) : 'auto';
}

const threads = threadsAsked();
const ready = load({ threads });
let weights = null; // { data, shape, name } from the last weights file, if any

ready.then(
  (cs) => postMessage({
    type: 'ready', backend: cs.backend, loadWeights: typeof cs.loadWeights === 'function',
    threads: cs.threads, threadsAsked: threads, threadsNote: cs.threadsNote ?? null,
    crossOriginIsolated: self.crossOriginIsolated === true,
  }),
  (e) => postMessage({ type: 'error', message: `cannot load the WebAssembly kernels: ${e.message}` }),
);

/**
 * A 64-bit fingerprint of a Float32Array's bits (two FNV-1a lanes over its 32-bit words): two
 * runs give the same one exactly when they computed the same floats.
 */
function bitsHash(values) {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let a = 0x811c9dc5;
  let b = 0x9dc5811c;
  for (let i = 0; i < words.length; i++) {
    a = Math.imul(a ^ words[i], 0x01000193);
    b = Math.imul(b ^ (words[i] >>> 16) ^ (words[i] << 16), 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

onmessage = async (event) => {
  const msg = event.data;
  try {
    const cs = await ready;
    if (msg.type === 'weights') {
      const w = cs.loadWeights(new Uint8Array(msg.bytes), msg.name ? { name: msg.name } : {});
      if (w.shape.length !== 4) throw new RangeError(`the tensor has shape [${w.shape.join(', ')}]; a conv2d layer needs [K, M, kh, kw]`);
      weights = { data: w.data, shape: w.shape, name: w.name };
      postMessage({ type: 'weights', shape: w.shape, name: w.name, names: w.names });
    } else if (msg.type === 'run') {
      run(cs, msg);
    }
  } catch (e) {
    postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};

function run(cs, { image, params: p }) {
  const useFile = p.filterSource === 'file';
  if (useFile && !weights) throw new Error('choose a weights file first');
  // loaded filters fix the number of input channels; otherwise the image (or the grey switch) does
  if (useFile && weights.shape[1] !== 1 && weights.shape[1] !== 3) {
    throw new RangeError(`the weights take ${weights.shape[1]} input channels; an image has 1 or 3`);
  }
  const mode = useFile ? (weights.shape[1] === 1 ? 'grey' : 'rgb') : p.color;
  const x = toPlanes(image, p.size, mode);
  postMessage({ type: 'input', width: x.width, height: x.height, channels: x.channels, rgba: toRgba(x).data });

  const settings = {
    filters: p.filters, kernel: p.kernel, stride: p.stride, pool: p.pool, density: p.density, iterations: p.iterations, seed: p.seed,
    ...(useFile ? { weights: { data: weights.data, shape: weights.shape } } : {}),
  };
  const t0 = performance.now();
  let mismatch = 0;
  const r = reconstructImage(cs, x, settings, {
    onLayer: (layer) => postMessage({ type: 'layer', inputShape: layer.inputShape, outputShape: layer.outputShape, k: layer.k }),
    onIteration(i, error, iterate) {
      const xHat = iterate.xHat;
      // the iterate drawn must be the one cs.iht measured: a mismatch is shown, not hidden
      mismatch = Math.max(mismatch, Math.abs(relativeError(xHat, x.data) - error) / Math.max(error, 1e-12));
      const rgba = toRgba(x, xHat).data;
      postMessage({ type: 'iteration', i, error, psnr: psnr(xHat, x.data), ms: performance.now() - t0, rgba }, [rgba.buffer]);
    },
  });
  postMessage({
    type: 'done', error: r.iht.relativeError, iterations: r.iht.iterations, history: r.iht.history,
    psnr: r.iht.psnr, oneStep: r.oneStep.relativeError, ms: r.ms.iht, mismatch, hash: bitsHash(r.iht.xHat), threads: cs.threads,
  });

  if (p.ripTrials > 0) {
    // 'forward' only: ||W^T z|| / ||z|| needs one sparse transpose per code, cheap at image size
    const W = imageLayer(cs, x, settings);
    try {
      const t1 = performance.now();
      const rip = cs.rip(W, { ...imageSparsity(settings), trials: p.ripTrials, seed: 2, measure: 'forward' });
      const s = rip.summary.forward;
      const h = ripHistogram(cs, rip.forward, s, 30, 1);
      postMessage({ type: 'rip', edges: Array.from(h.edges), counts: Array.from(h.counts), summary: s, deltaK: rip.deltaK, trials: rip.trials, ms: performance.now() - t1 });
    } finally {
      W.dispose();
    }
  }
}
