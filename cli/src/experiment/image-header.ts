// What an image file claims before anything decodes it: its format and size, read from the PNG
// IHDR chunk or the JPEG frame header, checked against one pixel cap for every format. Decoders
// allocate from these numbers (a 68-byte PNG can claim 2^31 x 2^31 pixels), so the CLI and the web
// demo call this first and refuse the file with a one-line reason. Pure: no Node or DOM APIs.

/** The most pixels an input image may have (64 megapixels), in every format. */
export const MAX_IMAGE_PIXELS = 64_000_000;

export type ImageFormat = 'png' | 'jpeg';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) + b[at + 1]!;
}

/** The format by signature (not by file name), or undefined for anything else. */
export function sniffImage(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((v, i) => bytes[i] === v)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/**
 * The PNG chunk layout, walked without decompressing: IHDR first, every chunk inside the file,
 * IDAT present, IEND last. A file cut anywhere fails here rather than decoding to zeros.
 */
function pngHeader(b: Uint8Array, name: string): ImageHeader {
  if (b.length < 33 || u32(b, 8) !== 13 || String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') {
    throw new RangeError(`${name}: not a valid PNG (no IHDR header)`);
  }
  const width = u32(b, 16);
  const height = u32(b, 20);
  let at = 8;
  let idat = false;
  for (;;) {
    if (at + 12 > b.length) throw new RangeError(`${name}: the PNG is truncated (it ends before its IEND chunk)`);
    const length = u32(b, at);
    const type = String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
    if (length > b.length - at - 12) throw new RangeError(`${name}: the PNG is truncated (its ${type} chunk runs past the end of the file)`);
    if (type === 'IDAT') idat = true;
    at += length + 12;
    if (type === 'IEND') break;
  }
  if (!idat) throw new RangeError(`${name}: the PNG has no image data (no IDAT chunk)`);
  return { format: 'png', width, height };
}

/** The first start-of-frame marker's size; markers are walked by their lengths, as a decoder does. */
function jpegHeader(b: Uint8Array, name: string): ImageHeader {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) throw new RangeError(`${name}: not a valid JPEG (bad marker at byte ${at})`);
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame
    const length = u16(b, at + 2);
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) {
      if (at + 9 > b.length) break;
      return { format: 'jpeg', height: u16(b, at + 5), width: u16(b, at + 7) };
    }
    at += 2 + length;
  }
  throw new RangeError(`${name}: the JPEG is truncated or has no frame header`);
}

/**
 * Format and size of an image file, refused (RangeError naming `name`) when the bytes are not a
 * whole PNG or a JPEG with a frame header, when a side is 0, or when it has more than
 * MAX_IMAGE_PIXELS pixels.
 */
export function readImageHeader(bytes: Uint8Array, name: string): ImageHeader {
  const format = sniffImage(bytes);
  if (format === undefined) throw new RangeError(`${name} is not a PNG or JPEG image`);
  const header = format === 'png' ? pngHeader(bytes, name) : jpegHeader(bytes, name);
  if (header.width < 1 || header.height < 1) throw new RangeError(`${name} has no pixels (${header.width}x${header.height})`);
  if (header.width * header.height > MAX_IMAGE_PIXELS) {
    throw new RangeError(`${name} is ${header.width}x${header.height} pixels; the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels`);
  }
  // Every 8x8 block of a JPEG codes at least its DC value, one bit at the very least: a file too
  // small for the blocks its header claims is cut short, and a decoder would spend seconds and
  // hundreds of megabytes filling the rest with nothing.
  const blocks = Math.ceil(header.width / 8) * Math.ceil(header.height / 8);
  if (format === 'jpeg' && bytes.length * 8 < blocks) {
    throw new RangeError(`${name}: the JPEG is truncated (${bytes.length} bytes cannot code ${header.width}x${header.height} pixels)`);
  }
  return header;
}
