// Fuzzing the CLI's image input: valid PNG and JPEG files with one part of their structure
// mutated (the sizes in the header, bit depth and colour type, chunk lengths, the compressed
// stream, truncation anywhere, flipped bytes). Every outcome is an image of exactly the size its
// header states, or the CLI's own one-line refusal (a CliError); never another error. Then a few
// of them through the installed bin in a child process limited to 256 MB: exit 0 with an image,
// or exit 1 with one line.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import assert from '../../tests/assert.js';
import { CliError } from '../src/errors.js';
import { MAX_IMAGE_PIXELS, readImageHeader } from '../src/experiment/index.js';
import { decodeImage, encodePng } from '../src/image-io.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'cli', 'dist', 'cli.mjs');

/** A small photograph-like RGBA raster (a gradient with noise), w x h. */
function raster(w: number, h: number, seed: number) {
  const data = new Uint8Array(w * h * 4);
  let s = seed >>> 0;
  for (let i = 0; i < w * h; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data.set([(i * 7) & 255, (i * 13 + (s >>> 28)) & 255, s >>> 24, 255], i * 4);
  }
  return { width: w, height: h, data };
}

function u32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0);
}

/** The PNG chunk at a byte offset: [start of length, type, data length]. */
function chunks(b: Uint8Array): Array<[number, string, number]> {
  const out: Array<[number, string, number]> = [];
  for (let at = 8; at + 12 <= b.length;) {
    const len = new DataView(b.buffer, b.byteOffset).getUint32(at);
    out.push([at, String.fromCharCode(...b.subarray(at + 4, at + 8)), len]);
    at += 12 + len;
  }
  return out;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('none' as const) }),
  fc.record({ kind: fc.constant('size' as const), w: fc.nat(), h: fc.nat() }),
  fc.record({ kind: fc.constant('size-near-cap' as const), w: fc.integer({ min: 1000, max: 20_000 }) }),
  fc.record({ kind: fc.constant('depth' as const), depth: fc.integer({ min: 0, max: 255 }), colour: fc.integer({ min: 0, max: 255 }), interlace: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('chunk-length' as const), which: fc.nat(), len: fc.nat() }),
  fc.record({ kind: fc.constant('stream' as const), bytes: fc.integer({ min: 0, max: 200_000 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), xor: fc.integer({ min: 1, max: 255 }) }),
);

/** A valid file, then one mutation of its structure. */
const imageCase = fc.record({
  format: fc.constantFrom('png' as const, 'jpeg' as const), w: fc.integer({ min: 1, max: 24 }), h: fc.integer({ min: 1, max: 24 }),
  seed: fc.nat(), m: mutation,
}).map(({ format, w, h, seed, m }) => {
  const img = raster(w, h, seed);
  const bytes = new Uint8Array(format === 'png' ? encodePng(img) : jpeg.encode({ width: w, height: h, data: Buffer.from(img.data) }, 80).data);
  let b = bytes;
  if (m.kind === 'size' || m.kind === 'size-near-cap') {
    const [nw, nh] = m.kind === 'size' ? [m.w, m.h] : [m.w, Math.floor(MAX_IMAGE_PIXELS / m.w)];
    if (format === 'png') {
      u32(b, 16, nw);
      u32(b, 20, nh);
    } else {
      const sof = b.findIndex((v, i) => v === 0xff && b[i + 1]! >= 0xc0 && b[i + 1]! <= 0xc2);
      new DataView(b.buffer).setUint16(sof + 5, nh & 0xffff);
      new DataView(b.buffer).setUint16(sof + 7, nw & 0xffff);
    }
  } else if (m.kind === 'depth' && format === 'png') {
    b.set([m.depth, m.colour], 24);
    b[28] = m.interlace;
  } else if (m.kind === 'chunk-length' && format === 'png') {
    const list = chunks(b);
    u32(b, list[m.which % list.length]![0], m.len);
  } else if (m.kind === 'stream' && format === 'png') {
    // the compressed data replaced by a valid stream of another length (too short, or a bomb)
    const list = chunks(b);
    const idat = list.find(([, type]) => type === 'IDAT')!;
    const data = deflateSync(Buffer.alloc(m.bytes));
    const out = new Uint8Array(b.length - idat[2] + data.length);
    out.set(b.subarray(0, idat[0] + 8));
    out.set(data, idat[0] + 8);
    out.set(b.subarray(idat[0] + 8 + idat[2]), idat[0] + 8 + data.length);
    u32(out, idat[0], data.length);
    b = out;
  } else if (m.kind === 'truncate') {
    b = b.subarray(0, Math.floor(m.at * b.length));
  } else if (m.kind === 'flip') {
    b[Math.min(b.length - 1, Math.floor(m.at * b.length))]! ^= m.xor;
  }
  return { format, img, bytes: b, m, unchanged: m.kind === 'none' };
});

test('decodeImage on mutated PNG and JPEG files: an image of the stated size, or a CliError', () => {
  let decoded = 0;
  let refused = 0;
  fc.assert(fc.property(imageCase, (c) => {
    let img;
    try {
      img = decodeImage(c.bytes, 'case');
    } catch (e) {
      if (!(e instanceof CliError)) throw new Error(`${c.format} ${JSON.stringify(c.m)}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
      if (c.unchanged) throw new Error(`a valid ${c.format} was refused: ${e.message}`);
      refused++;
      return;
    }
    decoded++;
    const header = readImageHeader(c.bytes, 'case');
    assert.deepEqual([img.width, img.height], [header.width, header.height], 'the size its header states');
    assert.equal(img.data.length, img.width * img.height * 4);
    assert.ok(img.width * img.height <= MAX_IMAGE_PIXELS);
    if (c.unchanged && c.format === 'png') assert.ok(Buffer.from(img.data).equals(Buffer.from(c.img.data)), 'a valid PNG decodes to its pixels');
  }), { numRuns: 800 });
  console.log(`decoded ${decoded}, refused ${refused}`);
  assert.ok(decoded > 100 && refused > 100, `both outcomes occur (${decoded} decoded, ${refused} refused)`);
});

test('the bin, limited to 256 MB, on mutated images: exit 0 with an image, or exit 1 with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convcs-image-fuzz-'));
  try {
    const samples = fc.sample(imageCase, { numRuns: 8, seed: 20261202 });
    for (const [i, c] of samples.entries()) {
      const file = join(dir, `case${i}.${c.format === 'png' ? 'jpg' : 'png'}`); // the wrong extension: formats go by signature
      writeFileSync(file, c.bytes);
      const r = spawnSync(process.execPath, ['--max-old-space-size=256', bin, 'reconstruct', file, '--iterations', '2', '--size', '16', '--json', '--out', join(dir, `out${i}`)],
        { encoding: 'utf8', timeout: 60_000 });
      const what = `${c.format} ${JSON.stringify(c.m)}`;
      if (r.status === 0) {
        assert.equal(JSON.parse(r.stdout).command, 'reconstruct', what);
      } else {
        assert.equal(r.status, 1, `${what}: exit ${r.status} ${r.signal ?? ''} ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: ${r.stderr}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
