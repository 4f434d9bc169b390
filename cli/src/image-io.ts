/// <reference types="node" />
// Reading and writing photographs: PNG (pngjs: grey, palette, 16-bit and alpha all come out as
// 8-bit RGBA) and baseline/progressive JPEG (jpeg-js), told apart by their signatures rather than
// by the file name. The header is read and checked first (readImageHeader: size cap, whole
// file), and a PNG's compressed data is inflated once under a bound before pngjs sees it, since
// pngjs fills a cut stream with zeros instead of failing. Failures become one-line CliErrors
// naming the file.

import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { CliError, fileError, oneLine } from './errors.js';
import { MAX_IMAGE_PIXELS, isGrey, readImageHeader } from './experiment/index.js';
import type { Rgba } from './experiment/index.js';

/** Channels of each PNG colour type (grey, RGB, palette, grey + alpha, RGBA). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7's passes: [x0, y0, dx, dy]. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** The exact length of the decompressed image data the header describes: rows of filter byte + pixels. */
function pngRawLength(bytes: Uint8Array, width: number, height: number): number | undefined {
  const depth = bytes[24]!;
  const channels = PNG_CHANNELS[bytes[25]!];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth)) return undefined; // pngjs says what is wrong
  const bits = channels * depth;
  const rows = (w: number, h: number) => (w > 0 && h > 0 ? h * (Math.ceil((w * bits) / 8) + 1) : 0);
  if (bytes[28] !== 1) return rows(width, height);
  return ADAM7.reduce((sum, [x0, y0, dx, dy]) => sum + rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)), 0);
}

/**
 * The IDAT stream must inflate completely to exactly the length the header implies (pngjs fills a
 * stream that stops short with zeros): inflated under that bound, so a stream that would inflate
 * to more (a zip bomb) stops there.
 */
function checkPngData(bytes: Uint8Array, width: number, height: number, name: string): void {
  const expected = pngRawLength(bytes, width, height);
  if (expected === undefined) return;
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (type === 'IDAT') parts.push(bytes.subarray(at + 8, at + 8 + length));
    at += length + 12;
  }
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(parts), { maxOutputLength: Math.max(expected, 1) });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'Z_BUF_ERROR' ? 'its image data is truncated'
      : code === 'ERR_BUFFER_TOO_LARGE' ? `its image data inflates to more than the ${expected} bytes its header describes`
        : `its image data is corrupt (${oneLine(e)})`;
    throw new CliError(`cannot decode ${name} as PNG: ${why}`);
  }
  if (raw.length !== expected) {
    throw new CliError(`cannot decode ${name} as PNG: its image data is truncated (${raw.length} of the ${expected} bytes its header describes)`);
  }
}

export function decodeImage(bytes: Uint8Array, name: string): Rgba {
  let header;
  try {
    header = readImageHeader(bytes, name);
  } catch (e) {
    throw new CliError(oneLine(e));
  }
  const isPng = header.format === 'png';
  if (isPng) checkPngData(bytes, header.width, header.height, name);
  try {
    if (isPng) {
      const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new CliError(`cannot decode ${name} as ${isPng ? 'PNG' : 'JPEG'}: ${oneLine(e)}`);
  }
}

export function readImage(path: string): Rgba {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fileError(path, e);
  }
  return decodeImage(bytes, path);
}

/** 8-bit PNG without alpha: grey (colour type 0) when R = G = B everywhere, else RGB (type 2). */
export function encodePng(img: Rgba): Buffer {
  const png = new pngjs.PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return pngjs.PNG.sync.write(png, { colorType: isGrey(img) ? 0 : 2, inputColorType: 6, inputHasAlpha: true });
}

/** PNG bytes as a data: URL, for vega image marks. */
export function pngDataUrl(img: Rgba): string {
  return `data:image/png;base64,${encodePng(img).toString('base64')}`;
}
