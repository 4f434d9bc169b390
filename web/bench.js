// The benchmark page: runs the portable suite (convcs-cli/bench) in a module Web Worker so that
// the page stays responsive, shows its progress, then the table and the JSON record, with Copy and
// Download. `?config=tiny&autostart=1` starts a run on load (the tests use it); the run's result
// is also `window.benchResult`, a promise, for anyone driving the page.

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

const params = new URLSearchParams(location.search);
if (params.get('config')) $('config').value = params.get('config');
if (params.get('backend')) $('backend').value = params.get('backend');
if (params.get('autostart')) run($('config').value, $('backend').value, params.get('label') ?? '').catch(() => {});
