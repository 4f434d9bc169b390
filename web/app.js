// The demo page: reads the settings, decodes the chosen photograph to RGBA, hands both to the
// worker, and draws what comes back (reconstruction after each IHT iteration, the error curve,
// the model-RIP histogram) on plain canvases. Settings may also come from the query string
// (?size=64&filters=16&density=0.2 ...), which is how a link reproduces a run; ?threads=N asks
// the worker for N threads instead of as many as the machine has (a run's bits do not depend on
// it, only its speed).
import { readImageHeader } from 'convcs-cli/experiment';

const $ = (id) => document.getElementById(id);
const form = $('controls');
const statusLine = $('status');
const fields = ['size', 'color', 'filters', 'kernel', 'stride', 'pool', 'filterSource', 'seed', 'density', 'iterations', 'ripTrials'];

for (const [key, value] of new URLSearchParams(location.search)) {
  if (fields.includes(key)) $(key).value = value;
}

let worker;
let running = false;
let history = [];
let canLoadWeights = false;
let readyOnce = false;

function status(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

const threadsParam = new URLSearchParams(location.search).get('threads');
const workerUrl = threadsParam && /^[1-9]\d*$/.test(threadsParam) ? `worker.js?threads=${threadsParam}` : 'worker.js';

function startWorker() {
  worker = new Worker(workerUrl, { type: 'module' });
  worker.onmessage = (e) => handle(e.data);
  worker.onerror = (e) => {
    status(`worker failed: ${e.message || 'could not start (is this page served over http?)'}`, true);
    finish();
  };
}

function params() {
  const num = (id) => Number($(id).value);
  const pool = $('pool').value;
  return {
    size: num('size'), color: $('color').value, filters: num('filters'), kernel: num('kernel'), stride: num('stride'),
    pool: pool === 'global' ? 'global' : Number(pool), filterSource: $('filterSource').value, seed: num('seed'),
    density: num('density'), iterations: num('iterations'), ripTrials: num('ripTrials'),
  };
}

/**
 * The chosen file's header, checked as the CLI checks it (PNG or JPEG, whole, at most
 * 64 megapixels) before the browser decodes anything.
 */
async function checkUpload(file) {
  return readImageHeader(new Uint8Array(await file.arrayBuffer()), file.name);
}

/** The photograph as RGBA bytes, exactly as stored (no colour management, no premultiplication). */
async function readPhoto() {
  const upload = form.elements.source.value === 'upload';
  let blob;
  if (upload) {
    blob = $('upload').files[0];
    if (!blob) throw new Error('choose an image file first');
    await checkUpload(blob);
  } else {
    const res = await fetch('astronaut-256.png');
    if (!res.ok) throw new Error(`cannot load the built-in photograph (${res.status})`);
    blob = await res.blob();
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new Error(`cannot decode ${upload ? blob.name : 'the image'} as an image`);
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  return { width: bitmap.width, height: bitmap.height, data };
}

function validate(p) {
  const bad = (what) => { throw new Error(what); };
  if (!(p.filters >= 1 && Number.isInteger(p.filters))) bad('filters must be a positive integer');
  if (!(p.kernel >= 1 && Number.isInteger(p.kernel))) bad('the kernel size must be a positive integer');
  if (!(p.stride >= 1 && Number.isInteger(p.stride))) bad('the stride must be a positive integer');
  if (!(p.density > 0 && p.density <= 1)) bad('the density must be in (0, 1]');
  if (!(p.iterations >= 1 && Number.isInteger(p.iterations))) bad('iterations must be a positive integer');
  if (!(p.seed >= 0 && Number.isInteger(p.seed))) bad('the seed must be a non-negative integer');
  if (!(p.ripTrials >= 0 && Number.isInteger(p.ripTrials))) bad('model-RIP codes must be a non-negative integer');
}

/** Forget the previous run's results: a new run, or an input that cannot run, must not show them. */
function clearResults() {
  history = [];
  $('final-error').textContent = '';
  $('final-error').dataset.error = '';
  $('final-error').dataset.iterations = '';
  $('final-error').dataset.hash = '';
  $('final-error').dataset.threads = '';
  $('iterInfo').textContent = 'not run yet';
  clear($('reconstruction'));
  drawCurve();
  clear($('histogram'));
  $('ripInfo').textContent = '';
}

async function start() {
  if (running) return;
  const p = params();
  clearResults();
  try {
    validate(p);
    status('reading the image…'); // also clears an earlier error before anything awaits
    const image = await readPhoto();
    running = true;
    $('run').disabled = true;
    $('stop').disabled = false;
    status('running…');
    worker.postMessage({ type: 'run', image, params: p }, [image.data.buffer]);
  } catch (e) {
    status(e.message, true);
  }
}

function finish() {
  running = false;
  $('run').disabled = false;
  $('stop').disabled = true;
}

function handle(m) {
  switch (m.type) {
    case 'ready':
      canLoadWeights = m.loadWeights;
      $('fileOption').disabled = !canLoadWeights;
      // a worker started again after Stop is ready silently: the status says where the run stopped
      if (!readyOnce) status(`ready (WebAssembly ${m.backend === 'scalar' ? 'without SIMD' : m.backend.toUpperCase()})`);
      readyOnce = true;
      showThreads(m);
      break;
    case 'input':
      putImage($('original'), m.width, m.height, m.rgba);
      $('originalInfo').textContent = `(${m.width}x${m.height}, ${m.channels === 1 ? 'grey' : 'colour'})`;
      clear($('reconstruction'), m.width, m.height);
      fitImage($('reconstruction'), m.width, m.height);
      break;
    case 'layer':
      status(`layer ${m.inputShape.join('x')} -> code ${m.outputShape.join('x')}, keeping ${m.k.toLocaleString('en')} non-zeros; running IHT…`);
      break;
    case 'iteration': {
      const c = $('original');
      putImage($('reconstruction'), c.width, c.height, m.rgba);
      history.push(m.error);
      $('iterInfo').textContent = `iteration ${m.i}, relative error ${m.error.toFixed(4)}, PSNR ${m.psnr.toFixed(1)} dB`;
      drawCurve();
      break;
    }
    case 'done':
      $('final-error').textContent = `relative error after ${m.iterations} iterations: ${m.error.toFixed(6)} ` +
        `(PSNR ${m.psnr.toFixed(2)} dB; one step: ${m.oneStep.toFixed(4)}) in ${(m.ms / 1000).toFixed(2)} s`;
      $('final-error').dataset.error = String(m.error);
      $('final-error').dataset.iterations = String(m.iterations);
      $('final-error').dataset.hash = m.hash;
      $('final-error').dataset.threads = String(m.threads);
      if (m.mismatch > 1e-4) status(`warning: the drawn iterate differs from the library's by ${m.mismatch.toExponential(1)}`, true);
      else status(params().ripTrials > 0 ? 'IHT done; measuring the model-RIP…' : 'done');
      if (params().ripTrials === 0) finish();
      break;
    case 'rip':
      drawHistogram(m);
      $('ripInfo').textContent = `(${m.trials} codes, median ${m.summary.median.toFixed(3)}, ${(m.ms / 1000).toFixed(2)} s)`;
      status('done');
      finish();
      break;
    case 'weights':
      status(`weights: ${m.name ?? 'the array'} [${m.shape.join(', ')}]`);
      break;
    case 'error':
      if (running) clearResults(); // the run failed: nothing of it (or of the run before) stays on show
      status(m.message, true);
      finish();
      break;
  }
}

/** How many threads the worker's instance runs on, and why not more when it runs on fewer than asked. */
function showThreads(m) {
  const info = $('threadsInfo');
  const asked = m.threadsAsked === 'auto' ? `as many as this machine has, ${navigator.hardwareConcurrency || 1}` : String(m.threadsAsked);
  const isolated = m.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated';
  info.textContent = `${m.threads} thread${m.threads === 1 ? '' : 's'} (asked for ${asked}; this page is ${isolated})` +
    (m.threadsNote ? `: ${m.threadsNote}` : '');
  info.dataset.threads = String(m.threads);
  info.dataset.note = m.threadsNote ?? '';
}

/** Show an image canvas at most 320 px on its longer side, with the image's own aspect ratio. */
function fitImage(canvas, width, height) {
  const scale = 320 / Math.max(width, height);
  canvas.style.width = `${Math.round(width * scale)}px`;
  canvas.style.height = `${Math.round(height * scale)}px`;
}

function putImage(canvas, width, height, rgba) {
  canvas.width = width;
  canvas.height = height;
  fitImage(canvas, width, height);
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
}

function clear(canvas, width = canvas.width, height = canvas.height) {
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d').clearRect(0, 0, width, height);
}

/** A plot frame: margins, and helpers mapping data to pixels. */
function frame(canvas) {
  const ctx = canvas.getContext('2d');
  const m = { left: 52, right: 24, top: 12, bottom: 36 };
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.strokeStyle = '#888';
  ctx.strokeRect(m.left, m.top, canvas.width - m.left - m.right, canvas.height - m.top - m.bottom);
  return { ctx, m, w: canvas.width - m.left - m.right, h: canvas.height - m.top - m.bottom };
}

function drawCurve() {
  const { ctx, m, w, h } = frame($('curve'));
  const n = Math.max(params().iterations, 2);
  const finite = history.filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(0.1, ...finite)));
  const hi = Math.max(0, Math.ceil(Math.log10(Math.max(1, ...finite))));
  const X = (i) => m.left + ((i - 1) / (n - 1)) * w;
  const Y = (v) => m.top + ((hi - Math.log10(Math.max(v, 10 ** lo))) / (hi - lo)) * h;
  ctx.fillStyle = '#333';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let e = lo; e <= hi; e++) {
    ctx.strokeStyle = '#e6e6e6';
    ctx.beginPath(); ctx.moveTo(m.left, Y(10 ** e)); ctx.lineTo(m.left + w, Y(10 ** e)); ctx.stroke();
    ctx.fillText(`1e${e}`, m.left - 5, Y(10 ** e));
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const step = Math.max(1, Math.ceil(n / 10 / 5) * 5);
  for (let i = 1; i <= n; i += i === 1 ? step - 1 : step) ctx.fillText(String(i), X(i), m.top + h + 4);
  ctx.fillText('IHT iteration', m.left + w / 2, m.top + h + 19);
  if (history.length === 0) return;
  ctx.strokeStyle = '#4c78a8';
  ctx.lineWidth = 2;
  ctx.beginPath();
  history.forEach((v, i) => (i === 0 ? ctx.moveTo(X(i + 1), Y(v)) : ctx.lineTo(X(i + 1), Y(v))));
  ctx.stroke();
  ctx.lineWidth = 1;
}

function drawHistogram(r) {
  const { ctx, m, w, h } = frame($('histogram'));
  const lo = r.edges[0];
  const hi = r.edges[r.edges.length - 1];
  const top = Math.max(...r.counts, 1);
  const X = (v) => m.left + ((v - lo) / (hi - lo)) * w;
  ctx.fillStyle = '#4c78a8';
  r.counts.forEach((c, i) => {
    const bh = (c / top) * h;
    ctx.fillRect(X(r.edges[i]) + 0.5, m.top + h - bh, Math.max(X(r.edges[i + 1]) - X(r.edges[i]) - 1, 1), bh);
  });
  ctx.strokeStyle = '#d62728';
  ctx.setLineDash([4, 3]);
  ctx.beginPath(); ctx.moveTo(X(1), m.top); ctx.lineTo(X(1), m.top + h); ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = '#333';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let t = 0; t <= 4; t++) {
    const v = lo + ((hi - lo) * t) / 4;
    ctx.fillText(v.toFixed(3), X(v), m.top + h + 4);
  }
  ctx.fillText('‖Wᵀz‖ / ‖z‖  (dashed: 1)', m.left + w / 2, m.top + h + 19);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillText(String(top), m.left - 5, m.top);
  ctx.fillText('0', m.left - 5, m.top + h);
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  start();
});
$('stop').addEventListener('click', () => {
  // IHT runs synchronously inside the worker, so stopping means replacing the worker; what it
  // posted so far (the last iterate drawn, the error curve) stays on show
  worker.terminate();
  startWorker();
  sendWeights(); // the new worker has not seen the weights file
  const done = history.length;
  const last = done > 0 ? `: relative error ${history[done - 1].toFixed(6)} (the reconstruction shown)` : '';
  const where = done > 0 ? `stopped after iteration ${done} of ${params().iterations}${last}` : 'stopped before the first iteration';
  $('final-error').textContent = where;
  $('final-error').dataset.iterations = String(done);
  $('final-error').dataset.error = done > 0 ? String(history[done - 1]) : '';
  status(where);
  finish();
});
$('upload').addEventListener('change', async () => {
  form.elements.source.value = 'upload';
  const file = $('upload').files[0];
  if (!file || running) return;
  // a new choice replaces whatever was said about the previous one, good or bad
  try {
    const h = await checkUpload(file);
    status(`${file.name}: ${h.format.toUpperCase()}, ${h.width}x${h.height}; press Reconstruct`);
  } catch (e) {
    status(e.message, true);
  }
});
$('filterSource').addEventListener('change', () => {
  $('weightsRow').hidden = $('filterSource').value !== 'file';
});
async function sendWeights() {
  const file = $('weights').files[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  worker.postMessage({ type: 'weights', bytes, name: $('weightsName').value.trim() }, [bytes]);
}
$('weights').addEventListener('change', sendWeights);
$('weightsName').addEventListener('change', sendWeights);

startWorker();
for (const id of ['original', 'reconstruction']) fitImage($(id), $(id).width, $(id).height);
drawCurve();
