// The plain-JS backend: the same kernels as the WASM module, in TypeScript over
// typed arrays. It is the portable fallback (no WebAssembly) and the second opinion
// the WASM kernels are tested against.
import type { Csr } from '../ir.ts';
import { csrBytes } from '../csr.ts';
import { CROSSOVER } from './crossover.ts';
import { activateRange } from './activations.ts';
import { chooseFormat, type BufferHandle, type CellOptions, type GemvOptions, type Linalg, type PackedMatrix, type PackOptions, type WeightSource } from './linalg.ts';
import { sourceCsr, sourceDenseRows, sourceDensity, sourceShape } from './pack.ts';

interface JsDense extends PackedMatrix { format: 'dense'; w: Float32Array }
interface JsCsr extends PackedMatrix { format: 'csr'; m: Csr }
type JsPacked = JsDense | JsCsr;

export class JsLinalg implements Linalg {
  readonly name = 'js' as const;
  readonly crossoverGemv = CROSSOVER.js.gemv;
  readonly crossoverGemm = CROSSOVER.js.gemm;

  pack(src: WeightSource, opts: PackOptions): PackedMatrix {
    const { rows, cols } = sourceShape(src);
    const density = sourceDensity(src);
    if (chooseFormat(this, density, opts) === 'csr') {
      const m = sourceCsr(src);
      const packed: JsCsr = { format: 'csr', rows, cols, nnz: m.values.length, bytes: csrBytes(m), density, m };
      return packed;
    }
    const w = sourceDenseRows(src);
    const packed: JsDense = { format: 'dense', rows, cols, nnz: rows * cols, bytes: w.byteLength, density, w };
    return packed;
  }

  readonly generation = 0;
  alloc(n: number): BufferHandle { return { n, off: 0, arr: new Float32Array(n) }; }
  view(h: BufferHandle): Float32Array { return h.arr!; }
  scratch(sizes: number[], _uninitialised?: boolean): Float32Array[] { return sizes.map((n) => new Float32Array(n)); }
  mark(): number { return 0; }
  release(_mark: number): void {}

  gemv(wp: PackedMatrix, x: Float32Array, y: Float32Array, o: GemvOptions = {}): void {
    const p = wp as JsPacked;
    const r0 = o.r0 ?? 0, r1 = o.r1 ?? p.rows, acc = o.accumulate ?? false, bias = o.bias ?? null;
    if (p.format === 'csr') {
      const { rowPtr, colIdx, values } = p.m;
      for (let r = r0; r < r1; r++) {
        let s = 0;
        for (let k = rowPtr[r], e = rowPtr[r + 1]; k < e; k++) s += values[k] * x[colIdx[k]];
        y[r] = (acc ? y[r] : bias ? bias[r] : 0) + s;
      }
      return;
    }
    const w = p.w, K = p.cols;
    for (let r = r0; r < r1; r++) {
      const base = r * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, c = 0;
      for (; c + 4 <= K; c += 4) {
        s0 += w[base + c] * x[c]; s1 += w[base + c + 1] * x[c + 1];
        s2 += w[base + c + 2] * x[c + 2]; s3 += w[base + c + 3] * x[c + 3];
      }
      for (; c < K; c++) s0 += w[base + c] * x[c];
      y[r] = (acc ? y[r] : bias ? bias[r] : 0) + (s0 + s1) + (s2 + s3);
    }
  }

  gemmT(wp: PackedMatrix, xt: Float32Array, P: number, yt: Float32Array, bias: Float32Array | null, acc: boolean): void {
    const p = wp as JsPacked;
    for (let r = 0; r < p.rows; r++) {
      const yo = r * P;
      if (!acc) yt.fill(bias ? bias[r] : 0, yo, yo + P);
      if (p.format === 'csr') {
        const { rowPtr, colIdx, values } = p.m;
        for (let k = rowPtr[r], e = rowPtr[r + 1]; k < e; k++) axpy(values[k], xt, colIdx[k] * P, yt, yo, P);
      } else {
        const K = p.cols;
        for (let k = 0; k < K; k++) {
          const v = p.w[r * K + k];
          if (v !== 0) axpy(v, xt, k * P, yt, yo, P);
        }
      }
    }
  }

  maxPool2d(x: Float32Array, planes: number, h: number, w: number, k: number[], s: number[], pads: number[], dil: number[],
    oh: number, ow: number, y: Float32Array): void {
    const [kh, kw] = k, [sh, sw] = s, [pt, pl] = pads, [dh, dw] = dil;
    let o = 0;
    for (let p = 0; p < planes; p++) {
      const base = p * h * w;
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let m = -Infinity, first = true;
          for (let i = 0; i < kh; i++) {
            const iy = oy * sh - pt + i * dh;
            if (iy < 0 || iy >= h) continue;
            for (let j = 0; j < kw; j++) {
              const ix = ox * sw - pl + j * dw;
              if (ix < 0 || ix >= w) continue;
              const v = x[base + iy * w + ix];
              // The first tap, then strictly greater: the reference's rule, NaN included.
              if (first || v > m) { m = v; first = false; }
            }
          }
          y[o++] = m;
        }
      }
    }
  }

  relu(p: Float32Array): void {
    for (let i = 0; i < p.length; i++) if (p[i] < 0) p[i] = 0;
  }

  transpose(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  }

  im2col(x: Float32Array, c: number, h: number, w: number, k: number[], s: number[], pads: number[], dil: number[],
    oh: number, ow: number, out: Float32Array): void {
    const [kh, kw] = k, [sh, sw] = s, [pt, pl] = pads, [dh, dw] = dil;
    const P = oh * ow;
    let row = 0;
    for (let ch = 0; ch < c; ch++) {
      const xc = ch * h * w;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - pt + i * dh;
            const dst = row + oy * ow;
            if (iy < 0 || iy >= h) { out.fill(0, dst, dst + ow); continue; }
            const src = xc + iy * w;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * sw - pl + j * dw;
              out[dst + ox] = ix >= 0 && ix < w ? x[src + ix] : 0;
            }
          }
          row += P;
        }
      }
    }
  }

  // The cells index with offsets instead of subarray views so a step allocates nothing.
  lstmCell(g: Float32Array, c: Float32Array, h: Float32Array, y: Float32Array | null, peep: Float32Array | null,
    cell: CellOptions, inputForget: boolean): void {
    const H = h.length, fa = cell.acts[0], ga = cell.acts[1], ha = cell.acts[2], clip = cell.clip;
    const O = H, F = 2 * H, C = 3 * H;
    if (peep) for (let k = 0; k < H; k++) { g[k] += peep[k] * c[k]; g[F + k] += peep[2 * H + k] * c[k]; }
    activateRange(fa, clip, g, 0, H);
    if (!inputForget) activateRange(fa, clip, g, F, F + H);
    if (!peep) activateRange(fa, clip, g, O, O + H);
    activateRange(ga, clip, g, C, C + H);
    for (let k = 0; k < H; k++) {
      const f = inputForget ? 1 - g[k] : g[F + k];
      c[k] = f * c[k] + g[k] * g[C + k];
      g[C + k] = c[k];
    }
    if (peep) {
      for (let k = 0; k < H; k++) g[O + k] += peep[H + k] * c[k];
      activateRange(fa, clip, g, O, O + H);
    }
    activateRange(ha, clip, g, C, C + H);
    for (let k = 0; k < H; k++) h[k] = g[O + k] * g[C + k];
    if (y) y.set(h);
  }

  gruCell(phase: 0 | 1, xg: Float32Array, rh: Float32Array, h: Float32Array, tmp: Float32Array, y: Float32Array | null,
    cell: CellOptions, lbr: boolean): void {
    const H = h.length;
    if (phase === 0) {
      for (let k = 0; k < 2 * H; k++) xg[k] += rh[k];
      activateRange(cell.acts[0], cell.clip, xg, 0, 2 * H);
      if (!lbr) for (let k = 0; k < H; k++) tmp[k] = xg[H + k] * h[k];
      return;
    }
    const X = 2 * H;
    for (let k = 0; k < H; k++) xg[X + k] += lbr ? xg[H + k] * rh[X + k] : rh[X + k];
    activateRange(cell.acts[1], cell.clip, xg, X, X + H);
    for (let k = 0; k < H; k++) h[k] = (1 - xg[k]) * xg[X + k] + xg[k] * h[k];
    if (y) y.set(h);
  }

  rnnCell(g: Float32Array, h: Float32Array, y: Float32Array | null, cell: CellOptions): void {
    const H = h.length;
    activateRange(cell.acts[0], cell.clip, g, 0, H);
    for (let k = 0; k < H; k++) h[k] = g[k];
    if (y) y.set(h);
  }
}

function axpy(a: number, x: Float32Array, xo: number, y: Float32Array, yo: number, n: number): void {
  for (let j = 0; j < n; j++) y[yo + j] += a * x[xo + j];
}
