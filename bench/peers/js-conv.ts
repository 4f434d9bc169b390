// The plain-JavaScript baseline: the convolution and its adjoint as straightforward loops over
// Float32Arrays (NCHW, PyTorch weight layout [K][M][kh][kw], zero padding by clipping each tap's row range), and
// Box-Muller over Math.random. No SIMD, no packing, no tiling: what one writes without a library.
// The loop order keeps the innermost loop contiguous and branch-free (one weight times a row of the
// input, its range clipped to the padding once per tap), the order a careful person picks.

export interface JsGeometry {
  M: number; K: number; H: number; W: number;
  kh: number; kw: number; sh: number; sw: number;
  pt: number; pl: number; Ho: number; Wo: number;
}

/** The outputs ox with 0 <= ox*sw + kx - pl < W: the columns a tap touches without padding. */
function validRange(kx: number, pl: number, sw: number, W: number, Wo: number): [number, number] {
  const lo = Math.max(0, Math.ceil((pl - kx) / sw));
  const hi = Math.min(Wo, Math.floor((W - 1 + pl - kx) / sw) + 1);
  return [lo, Math.max(lo, hi)];
}

/** h = W x: out[k][oy][ox] = sum over m, ky, kx of w[k][m][ky][kx] * x[m][oy*sh + ky - pt][ox*sw + kx - pl]. */
export function jsConvForward(g: JsGeometry, w: Float32Array, x: Float32Array, out: Float32Array): Float32Array {
  const { M, K, H, W, kh, kw, sh, sw, pt, pl, Ho, Wo } = g;
  out.fill(0);
  for (let k = 0; k < K; k++) {
    const outK = k * Ho * Wo;
    for (let m = 0; m < M; m++) {
      const xM = m * H * W;
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const wv = w[((k * M + m) * kh + ky) * kw + kx]!;
          const [ox0, ox1] = validRange(kx, pl, sw, W, Wo);
          for (let oy = 0; oy < Ho; oy++) {
            const iy = oy * sh + ky - pt;
            if (iy < 0 || iy >= H) continue;
            const row = xM + iy * W + kx - pl;
            const orow = outK + oy * Wo;
            for (let ox = ox0; ox < ox1; ox++) out[orow + ox] = out[orow + ox]! + wv * x[row + ox * sw]!;
          }
        }
      }
    }
  }
  return out;
}

/** x = W^T z, the adjoint of jsConvForward (the same loops with the roles of x and out swapped). */
export function jsConvTranspose(g: JsGeometry, w: Float32Array, z: Float32Array, out: Float32Array): Float32Array {
  const { M, K, H, W, kh, kw, sh, sw, pt, pl, Ho, Wo } = g;
  out.fill(0);
  for (let k = 0; k < K; k++) {
    const zK = k * Ho * Wo;
    for (let m = 0; m < M; m++) {
      const xM = m * H * W;
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const wv = w[((k * M + m) * kh + ky) * kw + kx]!;
          const [ox0, ox1] = validRange(kx, pl, sw, W, Wo);
          for (let oy = 0; oy < Ho; oy++) {
            const iy = oy * sh + ky - pt;
            if (iy < 0 || iy >= H) continue;
            const row = xM + iy * W + kx - pl;
            const zrow = zK + oy * Wo;
            for (let ox = ox0; ox < ox1; ox++) out[row + ox * sw] = out[row + ox * sw]! + wv * z[zrow + ox]!;
          }
        }
      }
    }
  }
  return out;
}

/** n N(0, 1) samples by Box-Muller over Math.random, both outputs of each pair used. */
export function jsBoxMuller(n: number, out: Float32Array = new Float32Array(n)): Float32Array {
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - Math.random(); // (0, 1]: log(0) never happens
    const u2 = Math.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    const t = 2 * Math.PI * u2;
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}
