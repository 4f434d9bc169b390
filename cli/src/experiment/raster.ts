// Pixels <-> the float planes a layer sees, and the image-quality numbers. No imports and no
// Node or DOM APIs: the web demo's worker runs this same code (through convcs-cli/experiment), so
// the browser and the CLI turn the same photograph into the same bits, which is what lets the
// end-to-end test compare the page's error with the library's.

/** An 8-bit RGBA raster, as PNG/JPEG decoders and canvas getImageData return it. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Channel-first float image in [0, 1]: channels 1 (grey) or 3 (RGB). */
export interface Planes {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

export type ColorMode = 'auto' | 'grey' | 'rgb';

/** True when every pixel has R = G = B (a grey image stored as colour). */
export function isGrey(img: Rgba): boolean {
  const d = img.data;
  for (let i = 0; i < img.width * img.height * 4; i += 4) {
    if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  }
  return true;
}

/**
 * Downscale by the smallest integer factor f that brings the longer side to at most maxSide
 * (0: keep the size), averaging f x f boxes, centre-cropping the remainder. Alpha is ignored.
 * 'auto' keeps colour only when the image has it; 'grey' uses ITU-R BT.601 luma.
 * Sums are integers (exact) and each value is one division, so every JS engine gives the same bits.
 */
export function toPlanes(img: Rgba, maxSide: number, mode: ColorMode = 'auto'): Planes {
  const f = maxSide > 0 ? Math.max(1, Math.ceil(Math.max(img.width, img.height) / maxSide)) : 1;
  const width = Math.floor(img.width / f);
  const height = Math.floor(img.height / f);
  if (width < 1 || height < 1) throw new RangeError(`a ${img.width}x${img.height} image is too small to downscale by ${f}`);
  const ox = Math.floor((img.width - width * f) / 2);
  const oy = Math.floor((img.height - height * f) / 2);
  const luma = mode === 'grey';
  const grey = luma || (mode === 'auto' && isGrey(img));
  const channels = grey ? 1 : 3;
  const data = new Float32Array(channels * height * width);
  const d = img.data;
  const plane = height * width;
  // luma weights in thousandths keep the grey sums integral too
  const denom = f * f * 255 * (luma ? 1000 : 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let dy = 0; dy < f; dy++) {
        let p = ((oy + y * f + dy) * img.width + ox + x * f) * 4;
        for (let dx = 0; dx < f; dx++, p += 4) {
          r += d[p]!;
          g += d[p + 1]!;
          b += d[p + 2]!;
        }
      }
      const o = y * width + x;
      if (!grey) {
        data[o] = r / denom;
        data[plane + o] = g / denom;
        data[2 * plane + o] = b / denom;
      } else if (luma) {
        data[o] = (299 * r + 587 * g + 114 * b) / denom;
      } else {
        data[o] = r / denom; // R = G = B
      }
    }
  }
  return { channels, height, width, data };
}

/** Planes back to 8-bit RGBA for display or PNG, clipped to [0, 1]. */
export function toRgba(p: Planes, values: Float32Array = p.data): Rgba {
  const n = p.height * p.width;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = values[(p.channels === 1 ? 0 : c) * n + i]!;
      out[i * 4 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    out[i * 4 + 3] = 255;
  }
  return { width: p.width, height: p.height, data: out };
}

/** ||a - b|| / ||b|| in double precision. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    const e = a[i]! - b[i]!;
    num += e * e;
    den += b[i]! * b[i]!;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** Peak signal-to-noise ratio in dB for images in [0, 1] (peak 1), on the unclipped values. */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0;
  for (let i = 0; i < b.length; i++) se += (a[i]! - b[i]!) ** 2;
  const mse = se / b.length;
  return mse === 0 ? Infinity : -10 * Math.log10(mse);
}
