// The demo's Web Worker: all computation happens here so the page stays responsive. It receives
// the decoded photograph (RGBA) and the settings, builds the layer, runs IHT one iteration at a
// time through cs.iht's onIteration, and posts the current reconstruction and its error after
// every iteration, then a small model-RIP run of the same layer for the histogram.
//
// convcs.mjs is the library's browser build; raster.js and observe.js are the CLI's compiled
// src/cli/raster.ts and src/cli/observe.ts, so pixels become the same float planes as in Node.
import { load } from './convcs.mjs';
import { toPlanes, toRgba, psnr, relativeError } from './raster.js';
import { observeTranspose } from './observe.js';

const ready = load();
let weights = null; // { data, shape, name } from the last weights file, if any

ready.then(
  (cs) => postMessage({ type: 'ready', backend: cs.backend, loadWeights: typeof cs.loadWeights === 'function' }),
  (e) => postMessage({ type: 'error', message: `cannot load the WebAssembly kernels: ${e.message}` }),
);

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
  const mode = useFile ? (weights.shape[1] === 1 ? 'grey' : 'rgb') : p.color;
  if (useFile && weights.shape[1] !== 1 && weights.shape[1] !== 3) {
    throw new RangeError(`the weights take ${weights.shape[1]} input channels; an image has 1 or 3`);
  }
  const x = toPlanes(image, p.size, mode);
  postMessage({ type: 'input', width: x.width, height: x.height, channels: x.channels, rgba: toRgba(x).data });

  const [K, kh, kw] = useFile ? [weights.shape[0], weights.shape[2], weights.shape[3]] : [p.filters, p.kernel, p.kernel];
  if (kh > x.height || kw > x.width) throw new RangeError(`the kernel (${kh}x${kw}) is larger than the image (${x.width}x${x.height})`);
  // 'same' padding at stride 1 (PyTorch allows no other), half the kernel on each side otherwise
  const padding = p.stride === 1 ? 'same' : [Math.floor(kh / 2), Math.floor(kw / 2)];
  const W = cs.conv2d({ inChannels: x.channels, outChannels: K, kernelSize: [kh, kw], height: x.height, width: x.width, stride: p.stride, padding });
  try {
    if (useFile) W.setWeights(weights.data);
    else W.randomize({ seed: p.seed });
    const sparsity = { pool: p.pool, density: p.density };
    const k = Math.round(p.density * W.outputSize);
    postMessage({ type: 'layer', inputShape: W.inputShape, outputShape: W.outputShape, k });

    const watched = observeTranspose(W);
    const t0 = performance.now();
    let mismatch = 0;
    const r = cs.iht(watched.op, x.data, {
      ...sparsity,
      iterations: p.iterations,
      onIteration(i, error) {
        const xHat = watched.latest();
        // the observed iterate must be the one cs.iht measured; if the library ever changes the
        // order of its transposes this shows it instead of drawing a wrong picture
        mismatch = Math.max(mismatch, Math.abs(relativeError(xHat, x.data) - error) / Math.max(error, 1e-12));
        const rgba = toRgba(x, xHat).data;
        postMessage({ type: 'iteration', i, error, psnr: psnr(xHat, x.data), ms: performance.now() - t0, rgba }, [rgba.buffer]);
      },
    });
    postMessage({
      type: 'done', error: r.relativeError, iterations: r.iterations, history: Array.from(r.history),
      psnr: psnr(r.xHat, x.data), ms: performance.now() - t0, mismatch,
    });

    if (p.ripTrials > 0) {
      // 'forward' only: ||W^T z|| / ||z|| needs one sparse transpose per code, cheap at image size
      const t1 = performance.now();
      const rip = cs.rip(W, { ...sparsity, trials: p.ripTrials, seed: 2, measure: 'forward' });
      const s = rip.summary.forward;
      const pad = Math.max((s.max - s.min) * 0.05, 1e-3);
      const h = cs.histogram(rip.forward, { bins: 30, range: [Math.min(s.min - pad, 0.98), Math.max(s.max + pad, 1.02)] });
      postMessage({ type: 'rip', edges: Array.from(h.edges), counts: Array.from(h.counts), summary: s, deltaK: rip.deltaK, trials: rip.trials, ms: performance.now() - t1 });
    }
  } finally {
    W.dispose();
  }
}
