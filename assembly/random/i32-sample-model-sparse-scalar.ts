// Random model-k-sparse codes (section 2.3): k of the B pooling blocks chosen uniformly without
// replacement, one uniformly placed non-zero in each, values from a chosen law. Every random
// number is draw (start + j) of one counter-based stream, so a code is a pure function of
// (seed, stream, start): trial t of a study uses stream t, whatever the batching or sharding.
import { draw64, streamKey } from "../helpers/u64-counter-rng";

const INV_2_53: f64 = 1.1102230246251565e-16; // 2^-53

const INV_2_24: f32 = 5.9604644775390625e-8; // 2^-24

/** Values: 0 = U[-1, 1) (the paper), 1 = random sign +-1, 2 = random sign times U[0.5, 1). */
export function i32_sample_model_sparse_scalar(
  seedLo: u32, seedHi: u32, stream: u32, start: f64,
  K: i32, Ho: i32, Wo: i32, ph: i32, pw: i32, k: i32, values: i32,
  idxOut: usize, valOut: usize,
): i32 {
  const key = streamKey(seedLo, seedHi, stream);
  let c: u64 = <u64>start;
  const Bh = (Ho + ph - 1) / ph;
  const Bw = (Wo + pw - 1) / pw;
  const perMap = Bh * Bw;
  const B = K * perMap;
  // Selection sampling (Knuth's Algorithm S): block b is taken with probability
  // (still needed) / (still available); the chosen blocks come out in ascending order.
  let chosen = 0;
  for (let b = 0; b < B && chosen < k; b++) {
    const u = <f64>(draw64(key, c++) >>> 11) * INV_2_53;
    if (u * <f64>(B - b) < <f64>(k - chosen)) {
      store<i32>(idxOut + (<usize>chosen << 2), b);
      chosen++;
    }
  }
  // Position inside each chosen block (edge blocks are smaller), then the value.
  c = <u64>start + <u64>B;
  for (let j = 0; j < chosen; j++) {
    const b = load<i32>(idxOut + (<usize>j << 2));
    const f = b / perMap;
    const r = b - f * perMap;
    const by = r / Bw;
    const bx = r - by * Bw;
    const y0 = by * ph;
    const x0 = bx * pw;
    const h = min(ph, Ho - y0);
    const w = min(pw, Wo - x0);
    const cell = <i32>(<f64>(draw64(key, c++) >>> 11) * INV_2_53 * <f64>(h * w));
    const cy = cell / w;
    const cx = cell - cy * w;
    store<i32>(idxOut + (<usize>j << 2), (f * Ho + y0 + cy) * Wo + x0 + cx);
    const bits = draw64(key, c++);
    const u = <f32>(bits >>> 40) * INV_2_24; // [0, 1), exact in f32
    let v: f32;
    if (values == 0) v = u * 2 - 1;
    else if (values == 1) v = (bits & 1) != 0 ? 1 : -1;
    else v = ((bits & 1) != 0 ? <f32>1 : <f32>-1) * (<f32>0.5 + <f32>0.5 * u);
    store<f32>(valOut + (<usize>j << 2), v);
  }
  return chosen;
}
