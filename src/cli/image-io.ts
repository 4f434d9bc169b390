/// <reference types="node" />
// Reading and writing photographs: PNG (pngjs: grey, palette, 16-bit and alpha all come out as
// 8-bit RGBA) and baseline/progressive JPEG (jpeg-js), told apart by their signatures rather than
// by the file name. Failures become one-line CliErrors naming the file.

import { readFileSync } from 'node:fs';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { CliError, fileError, oneLine } from './errors.js';
import { isGrey } from './raster.js';
import type { Rgba } from './raster.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Images above this many megapixels are refused before decoding (jpeg-js allocates eagerly). */
const MAX_MEGAPIXELS = 64;

export function decodeImage(bytes: Uint8Array, name: string): Rgba {
  const isPng = PNG_SIGNATURE.every((b, i) => bytes[i] === b);
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) throw new CliError(`${name} is not a PNG or JPEG image`);
  try {
    if (isPng) {
      const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: 1024 });
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
  const img = decodeImage(bytes, path);
  if (img.width < 1 || img.height < 1) throw new CliError(`${path} has no pixels`);
  return img;
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
