// The benchmark page: runs the portable suite (convcs-cli/bench) in a module Web Worker so that
// the page stays responsive, shows its progress, then the table and the JSON record, with Copy and
// Download. `?config=tiny&autostart=1` starts a run on load (the tests use it); the run's result
// is also `window.benchResult`, a promise, for anyone driving the page. The Threads section runs
// bench-threads-worker.js (convcs on 1 and 2 threads, tfjs-wasm threaded on 2); `?suite=threads&
// autostart=1[&runs=N]` starts it on load instead, its result the promise `window.threadsResult`.

const $ = (id) => document.getElementById(id);
let result;

function fmt(x) {
  if (!Number.isFinite(x)) return '—';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

function showTable(r) {
  const body = $('table').tBodies[0];
  body.replaceChildren();
  for (const c of r.cases) {
    const row = body.insertRow();
    const cells = [c.title, fmt(c.medianMs), fmt(c.p75Ms), String(c.n), c.rate ? `${fmt(c.rate.value)} ${c.rate.unit}` : '',
      c.ofCeiling === null ? '' : `${(100 * c.ofCeiling).toFixed(0)}%`];
    for (const text of cells) row.insertCell().textContent = text;
  }
  $('table').hidden = false;
}

function run(config, backend, label) {
  $('run').disabled = true;
  $('copy').disabled = true;
  $('download').disabled = true;
  $('status').textContent = 'starting';
  $('progress').value = 0;
  const worker = new Worker('bench-worker.js', { type: 'module' });
  const done = new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.type === 'progress') {
        $('progress').value = data.done / data.total;
        $('status').textContent = `${data.phase}: ${data.caseId} (${data.done}/${data.total})`;
      } else if (data.type === 'result') {
        resolve(data.result);
      } else {
        reject(new Error(data.message));
      }
    };
    worker.onerror = (event) => reject(new Error(`worker: ${event.message}`));
  });
  window.benchResult = done.then((r) => {
    result = r;
    const json = JSON.stringify(r, null, 1);
    $('json').textContent = json;
    $('json').hidden = false;
    showTable(r);
    $('progress').value = 1;
    $('status').textContent = `done: ${r.runtime.name} ${r.runtime.version}, SIMD ceiling ${r.ceiling.simdGflops.toFixed(1)} GFLOP/s, ` +
      `${(r.durationMs / 1000).toFixed(1)} s`;
    $('copy').disabled = false;
    $('download').disabled = false;
    return r;
  }, (e) => {
    $('status').textContent = `error: ${e.message}`;
    $('status').classList.add('error');
    throw e;
  }).finally(() => {
    worker.terminate();
    $('run').disabled = false;
  });
  worker.postMessage({ config, backend, label: label || undefined });
  return window.benchResult;
}

$('controls').addEventListener('submit', (event) => {
  event.preventDefault();
  run($('config').value, $('backend').value, $('label').value.trim()).catch(() => {});
});

$('copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(JSON.stringify(result, null, 1));
    $('status').textContent = 'copied';
  } catch (e) {
    $('status').textContent = `copy refused (${e.message}): select the JSON below instead`;
  }
});

$('download').addEventListener('click', () => {
  const blob = new Blob([`${JSON.stringify(result, null, 1)}\n`], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `convcs-bench-${result.runtime.name}-${result.date.slice(0, 10)}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

function showThreads(r) {
  const body = $('threadsTable').tBodies[0];
  body.replaceChildren();
  const titles = { forward: 'forward', transpose: 'dense transpose', transposeSparse: 'sparse transpose 25%' };
  for (const c of r.cases) {
    const row = body.insertRow();
    for (const text of [`${c.who} ${titles[c.op]}`, String(c.threads), fmt(c.medianMs), fmt(c.p25Ms), fmt(c.p75Ms), String(c.n)]) row.insertCell().textContent = text;
  }
  $('threadsTable').hidden = false;
  const s = r.speedupT2overT1;
  const parts = [`convcs T=2 / T=1 speed-up: forward ${s.forward.toFixed(2)}x, dense transpose ${s.transpose.toFixed(2)}x, sparse transpose ${s.sparse.toFixed(2)}x`];
  if (r.convcs.threads.running < 2) parts.push(`(convcs ran on ${r.convcs.threads.running} thread: ${r.convcs.threads.note})`);
  parts.push(r.tfjs.ok
    ? `forward, convcs T=2 vs tfjs-wasm threads=${r.tfjs.threads}: ${r.convcsT2overTfjsT2Forward.toFixed(2)}x` +
      (r.tfjs.hardwareConcurrencyShownToTfjs ? ` (tfjs was told hardwareConcurrency ${r.tfjs.hardwareConcurrencyShownToTfjs}: as it is, it ran ${r.tfjs.probe?.threads} thread)` : '')
    : `tfjs-wasm threaded could not run: ${r.tfjs.error}`);
  $('threadsSummary').textContent = parts.join('; ');
  $('threadsJson').textContent = JSON.stringify(r, null, 1);
  $('threadsJson').hidden = false;
}

/** One message to a fresh bench-threads-worker.js; resolves to its result. */
function threadsWorker(message) {
  const worker = new Worker('bench-threads-worker.js', { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.type === 'progress') $('threadsStatus').textContent = data.total ? `${data.phase} (${data.done}/${data.total})` : data.phase;
      else if (data.type === 'result') resolve(data.result);
      else reject(new Error(data.message));
    };
    worker.onerror = (event) => reject(new Error(`worker: ${event.message}`));
    worker.postMessage(message);
  }).finally(() => worker.terminate());
}

/**
 * The threads run: first a probe of tfjs as it is (its pool is capped at half of
 * navigator.hardwareConcurrency, see bench-threads-worker.js); if that pool is smaller than 2,
 * the timed run shows tfjs twice the cores it needs for 2 threads, and the result says so.
 */
async function threadsRun(runs) {
  $('threadsStatus').textContent = 'probing tfjs-backend-wasm';
  const probe = await threadsWorker({ probe: true });
  const cap = probe.threads !== undefined && probe.threads < 2;
  return threadsWorker({ runs, tfjsProbe: probe, ...(cap ? { tfjsHardwareConcurrency: 4 } : {}) });
}

function runThreads(runs) {
  $('runThreads').disabled = true;
  $('threadsStatus').textContent = 'starting';
  $('threadsStatus').classList.remove('error');
  window.threadsResult = threadsRun(runs).then((r) => {
    showThreads(r);
    $('threadsStatus').textContent = `done in ${(r.durationMs / 1000).toFixed(1)} s`;
    return r;
  }, (e) => {
    $('threadsStatus').textContent = `error: ${e.message}`;
    $('threadsStatus').classList.add('error');
    throw e;
  }).finally(() => {
    $('runThreads').disabled = false;
  });
  return window.threadsResult;
}

$('threadsControls').addEventListener('submit', (event) => {
  event.preventDefault();
  runThreads(Number($('threadsRuns').value)).catch(() => {});
});
$('isolated').textContent = crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated: convcs and tfjs will run on one thread';

const params = new URLSearchParams(location.search);
if (params.get('config')) $('config').value = params.get('config');
if (params.get('backend')) $('backend').value = params.get('backend');
if (params.get('runs')) $('threadsRuns').value = params.get('runs');
if (params.get('autostart') && params.get('suite') === 'threads') runThreads(Number($('threadsRuns').value)).catch(() => {});
else if (params.get('autostart')) run($('config').value, $('backend').value, params.get('label') ?? '').catch(() => {});
