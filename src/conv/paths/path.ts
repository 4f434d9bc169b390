// What the paths of a convolution share: each path (one way of computing one direction) names
// the buffers it owns; the operator allocates them all at once and hands each path its pointers.
// The layer's own buffers (plain and channel-last weights, the padded scratch, one code sample)
// are read through LayerBuffers.

import type { Engine } from '../../instance.js';
import type { ConvGeometry } from '../geometry.js';
import { chooseClaimedParts, chooseParts, chooseStreamParts } from '../choose.js';
import { splitRange } from '../../threads/split.js';

/** Buffers of the layer that several paths read. Filled in by the operator after allocation. */
export interface LayerBuffers {
  /** plain weights [K][M][kh][kw] */
  weights: number;
  /** channel-last weights [K][kh][kw][M], which SIMD transposed panels are packed from (held only where a path reads them) */
  channelLast: number;
  /**
   * padded input [M][Hp][Wp] (forward), or the transposes' accumulator (channel-last in SIMD; 4
   * floats a pixel for the 3x3 sparse kernel onto <= 4 channels)
   */
  padded: number;
  /** one code sample (the dense Winograd route of sparse codes scatters into it) */
  code: number;
}

export abstract class ConvPath {
  /** Bytes of each buffer this path owns, by name (0 for none). */
  abstract readonly sizes: Readonly<Record<string, number>>;
  /** Its pointers, once allocated. */
  ptr: Readonly<Record<string, number>> = {};
  /** Whether it reads the layer's padded scratch. */
  readonly usesPadded: boolean = true;
  /** Floats per padded pixel it needs in that scratch (the layer's channels, unless it pads them). */
  get paddedPixelFloats(): number {
    return this.g.M;
  }
  /** Whether it packs its panels from the layer's channel-last weights (SIMD modules). */
  readonly readsChannelLast: boolean = false;
  /** Into how many parts the threads split one run (1 without threads, or for small layers): one per thread, for parts with scratch of their own. */
  readonly parts: number;
  /** The same for parts without scratch of their own, which the threads claim as they free up: PARTS_PER_THREAD per thread. */
  readonly claimedParts: number;

  constructor(protected readonly engine: Engine, protected readonly g: ConvGeometry, protected readonly layer: LayerBuffers) {
    const work = g.K * g.Ho * g.Wo * taps(g);
    this.parts = chooseParts(engine.lanes, work);
    this.claimedParts = chooseClaimedParts(engine.lanes, work);
  }

  /**
   * Zero-padded copy x[C][H][W] -> xp[C][Hp][Wp], split by channels between the threads when it
   * is long enough for a copy to gain from them (chooseStreamParts), whatever the convolution's.
   */
  protected pad(where: string, x: number, xp: number, C: number, H: number, W: number, Hp: number, Wp: number, pt: number, pl: number): void {
    const parts = chooseStreamParts(this.engine.lanes, 'copy', C * Hp * Wp);
    if (parts === 1) {
      this.engine.k.pad2dChw(x, xp, C, H, W, Hp, Wp, pt, pl);
      return;
    }
    this.engine.parallel(where, 'f32_pad2d_chw_scalar', splitRange(C, parts).map(([c0, c1]) => [
      x + c0 * H * W * 4, xp + c0 * Hp * Wp * 4, c1 - c0, H, W, Hp, Wp, pt, pl,
    ]));
  }

  /** Tables that depend on the geometry only (offsets), once after allocation. */
  setup(): void {}

  /** Pack the weights into this path's layout (after every change of weights). */
  abstract pack(): void;
}

/** A way of computing h = W x for one sample. */
export abstract class ForwardPath extends ConvPath {
  abstract run(inPtr: number, outPtr: number): void;
}

/** A way of computing x = W^T z for one dense code. */
export abstract class TransposePath extends ConvPath {
  abstract run(codePtr: number, outPtr: number): void;
}

export function taps(g: ConvGeometry): number {
  return g.M * g.kh * g.kw;
}
