/// <reference types="node" />
// The study spec file, checked with a schema before anything runs: the first problem is reported
// as one line naming the field (spec.grid.k[2]: ...). The library checks the values again (it
// takes specs from code too); this layer gives file users a precise message for shape errors.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { STUDY_METHODS } from 'convcs';
import type { Convcs, StudySpec } from 'convcs';
import { CliError, fileError, readJsonFile } from '../errors.js';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const pool = z.union([z.literal('global'), int(1, 2 ** 20), z.tuple([int(1, 2 ** 20), int(1, 2 ** 20)])]);
const nonEmpty = <T extends z.ZodTypeAny>(t: T) => z.array(t).min(1).max(10_000);

const weights = z.union([
  z.object({ seed: int(0, Number.MAX_SAFE_INTEGER), normalize: z.enum(['fan-in', 'unit']).optional() }).strict(),
  z.object({ file: z.string().min(1), name: z.string().optional() }).strict(),
]);

const layer = z.object({
  type: z.enum(['conv1d', 'conv2d']),
  inChannels: int(1, 65_536),
  kernelSize: z.union([int(1, 4096), z.tuple([int(1, 4096), int(1, 4096)])]),
  length: int(1, 2 ** 24).optional(),
  height: int(1, 2 ** 14).optional(),
  width: int(1, 2 ** 14).optional(),
  stride: int(1, 4096).optional(),
  padding: z.union([int(0, 4096), z.enum(['same', 'valid'])]).optional(),
  weights,
}).strict();

export const studySchema = z.object({
  layer,
  grid: z.object({
    outChannels: nonEmpty(int(1, 65_536)),
    k: nonEmpty(int(0, 2 ** 28)).optional(),
    density: nonEmpty(z.number().min(0).max(1)).optional(),
    pool: nonEmpty(pool).optional(),
    values: nonEmpty(z.enum(['uniform', 'sign', 'bounded'])).optional(),
    method: nonEmpty(z.enum(STUDY_METHODS as unknown as [string, ...string[]])).optional(),
  }).strict().refine((g) => (g.k === undefined) !== (g.density === undefined), { message: "give exactly one of 'k' and 'density'" }),
  trials: int(1, 1e9),
  seed: int(0, Number.MAX_SAFE_INTEGER),
  tolerance: z.number().min(0).finite().optional(),
  iterations: int(1, 1e6).optional(),
  mode: z.enum(['abs', 'relu']).optional(),
}).strict();

/** "spec.grid.k[2]" from zod's path. */
function fieldOf(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : `${s}.${p}`), 'spec');
}

/** Parse and check a spec document (already JSON-parsed). */
export function checkSpec(value: unknown, source: string): StudySpec {
  const r = studySchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new CliError(`${source}: ${fieldOf(issue.path)}: ${issue.message}`);
  }
  return r.data as StudySpec;
}

export interface LoadedSpec {
  spec: StudySpec;
  /** The weight file's values when the spec names one. */
  weights?: Float32Array;
  /** Absolute path of the weight file, for workers on other machines that share the file system. */
  weightsFile?: string;
}

/** Read spec.json, check it, and read the weight file it names (relative to the spec's folder). */
export function readSpec(cs: Convcs, path: string): LoadedSpec {
  const spec = checkSpec(readJsonFile(path), path);
  const file = spec.layer.weights.file;
  if (file === undefined) return { spec };
  const abs = isAbsolute(file) ? file : resolve(dirname(path), file);
  return { spec, ...loadSpecWeights(cs, abs, spec.layer.weights.name) };
}

export function loadSpecWeights(cs: Convcs, abs: string, name: string | undefined): { weights: Float32Array; weightsFile: string } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(abs);
  } catch (e) {
    throw fileError(abs, e);
  }
  const w = cs.loadWeights(bytes, name === undefined ? {} : { name });
  return { weights: w.data, weightsFile: abs };
}
