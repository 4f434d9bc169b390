/// <reference types="node" />
// The merged report of a study folder: parts read one at a time into cs.mergeStudyParts, the
// report written as JSON lines (a header, then one line per cell; temporary name, then renamed),
// the phase-transition heatmaps and error-vs-k curves, and a table for the terminal.

import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Convcs, StudyCellReport, StudyReport } from 'convcs';
import { CliError } from '../errors.js';
import { heatmapSpec, curveSpec, vegaLiteToSvg, writeFigure } from '../plots.js';
import { f3 } from '../util.js';
import { partFiles, readPart } from './parts.js';

/** Merge every part in dir; refuses a folder with parts of two shard counts or none. */
export function mergeFolder(cs: Convcs, dir: string): StudyReport {
  const files = partFiles(dir);
  if (files.length === 0) throw new CliError(`${dir} holds no study parts (part-*-of-*.jsonl)`);
  const counts = new Set(files.map((f) => f.count));
  if (counts.size > 1) throw new CliError(`${dir} holds parts of ${[...counts].join(' and ')} shards; a study is cut one way`);
  function* parts() {
    for (const f of files) yield readPart(f.path);
  }
  return cs.mergeStudyParts(parts());
}

/** The report as JSON lines: { fingerprint, spec, backend, weights }, then one line per cell. */
export function writeReport(dir: string, r: StudyReport): string {
  const path = join(dir, 'study-report.jsonl');
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  const { cells, ...header } = r;
  writeSync(fd, JSON.stringify({ ...header, cells: cells.length }) + '\n');
  for (const c of cells) writeSync(fd, JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (v !== v ? null : v > 0 ? 'Infinity' : '-Infinity') : v)) + '\n');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
  return path;
}

function label(c: StudyCellReport, r: StudyReport): string {
  const g = r.spec.grid;
  const parts: string[] = [];
  if (g.method!.length > 1) parts.push(c.method);
  if (g.pool!.length > 1) parts.push(`pool ${String(c.pool)}`);
  if (g.values!.length > 1) parts.push(c.values);
  return parts.join(', ');
}

/** One heatmap of success rate over (k, filters) per method/pool/values, and median error vs k. */
export async function studyFigures(r: StudyReport, dir: string): Promise<Record<string, { svg: string; png: string }>> {
  const files: Record<string, { svg: string; png: string }> = {};
  const byK = r.spec.grid.k !== undefined;
  const xTitle = byK ? 'k (blocks kept)' : 'density';
  const recovered = r.cells.filter((c) => c.method !== 'none');
  const layer = r.spec.layer;
  const what = layer.type === 'conv1d'
    ? `1-D layer: ${layer.inChannels} channels, length ${layer.length}, kernel ${String(layer.kernelSize)}`
    : `2-D layer: ${layer.inChannels} channels, ${layer.height}x${layer.width}, kernel ${String(layer.kernelSize)}`;
  const sub = [what, `${r.spec.trials.toLocaleString('en')} trials per cell, tolerance ${r.spec.tolerance}, seed ${r.spec.seed}`];
  if (recovered.length > 0) {
    const cells = recovered.map((c) => ({
      x: byK ? c.k! : c.density!, y: `K = ${c.outChannels}${label(c, r) ? ` (${label(c, r)})` : ''}`, value: c.successRate,
    }));
    files.heatmap = writeFigure(dir, 'study-success', await vegaLiteToSvg(heatmapSpec(
      'Phase transition: fraction of trials recovered', sub, cells, xTitle, 'filters', 'success rate')));
    const series = new Map<string, Array<{ x: number; y: number }>>();
    for (const c of recovered) {
      const name = `K = ${c.outChannels}${label(c, r) ? `, ${label(c, r)}` : ''}`;
      const s = series.get(name) ?? [];
      s.push({ x: byK ? c.k! : c.density!, y: c.error!.p50 });
      series.set(name, s);
    }
    files.error = writeFigure(dir, 'study-error', await vegaLiteToSvg(curveSpec(
      'Median relative error ‖x̂ − x‖ / ‖x‖ against sparsity', sub,
      [...series].map(([name, pts]) => ({ name, values: pts.map((p) => p.y), x: pts.map((p) => p.x) })), undefined, xTitle)));
  }
  return files;
}

export function printTable(r: StudyReport, say: (s: string) => void): void {
  say(`study ${r.fingerprint}: ${r.cells.length} cells x ${r.spec.trials.toLocaleString('en')} trials (backend ${r.backend})`);
  const pad = (v: string, i: number): string => (i === 3 ? v.padStart(15) : v.padStart(9));
  say(`  ${['filters', 'pool', 'values', 'method', 'k', 'success', 'support', 'err p50', 'err p95', 'delta_k', 'delta_2k', 'bound'].map(pad).join(' ')}`);
  for (const c of r.cells) {
    const row = [String(c.outChannels), String(c.pool), c.values, c.method, String(c.blocks),
      f3(c.successRate), f3(c.supportRate), c.error ? c.error.p50.toExponential(2) : '-', c.error ? c.error.p95.toExponential(2) : '-',
      f3(c.deltaK), f3(c.delta2K), f3(c.bound)];
    say(`  ${row.map(pad).join(' ')}`);
  }
}
