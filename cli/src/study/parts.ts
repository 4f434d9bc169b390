/// <reference types="node" />
// A study's folder: one JSON-lines file per part, `part-<index>-of-<count>.jsonl`, whose first
// line is the part's header (fingerprint, spec, shard), then one line per cell, then an end line.
// A part is written to a temporary name and renamed when complete, so a file with the final name
// is always whole; a killed run leaves at most a temporary file, which a re-run replaces.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { StudyCellPart, StudyPart, StudyPartHeader } from 'convcs';
import { CliError } from '../errors.js';

const NAME = /^part-(\d+)-of-(\d+)\.jsonl$/;

export function partName(index: number, count: number): string {
  const w = String(count).length;
  return `part-${String(index).padStart(w, '0')}-of-${count}.jsonl`;
}

/** Streams one part's lines to a temporary file; `finish` renames it to its final name. */
export class PartWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private readonly path: string;
  private cells = 0;

  constructor(dir: string, header: StudyPartHeader) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, partName(header.shard.index, header.shard.count));
    this.tmp = `${this.path}.tmp-${process.pid}-${Date.now()}`;
    this.fd = openSync(this.tmp, 'w');
    this.line(header);
  }

  private line(v: unknown): void {
    writeSync(this.fd, JSON.stringify(v) + '\n');
  }

  cell(c: StudyCellPart): void {
    this.line(c);
    this.cells++;
  }

  finish(): string {
    this.line({ end: true, cells: this.cells });
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
    return this.path;
  }

  abort(): void {
    try { closeSync(this.fd); } catch { /* already closed */ }
    rmSync(this.tmp, { force: true });
  }
}

/** Write a whole part (one that arrived in one piece, e.g. from a queue worker). */
export function writePart(dir: string, part: StudyPart): string {
  const { results, ...header } = part;
  const w = new PartWriter(dir, header);
  try {
    for (const c of results) w.cell(c);
    return w.finish();
  } catch (e) {
    w.abort();
    throw e;
  }
}

/** Read a part file back; a file cut short or with bad lines is refused with its name. */
export function readPart(path: string): StudyPart {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  let parsed: unknown[];
  try {
    parsed = lines.map((l) => JSON.parse(l) as unknown);
  } catch (e) {
    throw new CliError(`${path}: a line is not JSON (${(e as Error).message})`);
  }
  const header = parsed[0] as StudyPartHeader | undefined;
  const end = parsed[parsed.length - 1] as { end?: boolean; cells?: number } | undefined;
  if (!header || header.format !== 'convcs-study-part') throw new CliError(`${path} is not a convcs study part`);
  const results = parsed.slice(1, -1) as StudyCellPart[];
  if (!end || end.end !== true || end.cells !== results.length || results.length !== header.cells) {
    throw new CliError(`${path} is incomplete: ${results.length} of ${String(header.cells)} cells and no end line`);
  }
  const m = NAME.exec(path.split(/[\\/]/).pop()!);
  if (m && (Number(m[1]) !== header.shard?.index || Number(m[2]) !== header.shard?.count)) {
    throw new CliError(`${path} holds shard ${String(header.shard?.index)} of ${String(header.shard?.count)}, not what its name says`);
  }
  return { ...header, results };
}

/** Only the first line of a part: cheap, for resuming. */
export function readHeader(path: string): StudyPartHeader {
  const text = readFileSync(path, 'utf8');
  const nl = text.indexOf('\n');
  return JSON.parse(nl < 0 ? text : text.slice(0, nl)) as StudyPartHeader;
}

/** The complete part files of a folder, by name (temporary files are not parts). */
export function partFiles(dir: string): Array<{ path: string; index: number; count: number }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const m = NAME.exec(n);
    return m ? [{ path: join(dir, n), index: Number(m[1]), count: Number(m[2]) }] : [];
  }).sort((a, b) => a.count - b.count || a.index - b.index);
}

/**
 * Which shards of `count` are already complete in dir for this fingerprint. A part of another
 * study in the folder is an error: mixing studies in one folder would merge nothing useful.
 */
export function completeShards(dir: string, fingerprint: string, count: number): Set<number> {
  const done = new Set<number>();
  for (const f of partFiles(dir)) {
    let h: StudyPartHeader;
    try {
      h = readHeader(f.path);
    } catch {
      continue; // unreadable: run it again
    }
    if (h.fingerprint !== fingerprint) {
      throw new CliError(`${dir} holds ${f.path.split(/[\\/]/).pop()} of another study (fingerprint ${h.fingerprint}, this one ${fingerprint}); use another --out`);
    }
    if (f.count !== count) throw new CliError(`${dir} holds parts of this study cut into ${f.count} shards, not ${count}; keep the shard count of the first run`);
    done.add(f.index);
  }
  return done;
}
