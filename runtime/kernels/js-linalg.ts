// The plain-JS backend: the same kernels as the WASM module, in TypeScript over
// typed arrays. It is the portable fallback (no WebAssembly) and the second opinion
// the WASM kernels are tested against.
import type { Csr } from '../ir.ts';
import { bsrFromCsr, type Bsr } from '../bsr.ts';
import { csrBytes } from '../csr.ts';
import { checkAllocation } from '../limits.ts';
import { COSTS } from './crossover.ts';
import { activateRange } from './activations.ts';
import { planPack, type BufferHandle, type CellOptions, type GemvOptions, type Linalg, type PackedMatrix, type PackOptions, type WeightSource } from './linalg.ts';
import { BlockRowSpans, sourceCsr, sourceDenseRows, sourceDensity, sourceShape } from './pack.ts';

interface JsDense extends PackedMatrix { format: 'dense'; w: Float32Array }
interface JsCsr extends PackedMatrix { format: 'csr'; m: Csr }
/** BSR br x 1 (br a multiple of 4); spans caches gemv row ranges -> block rows. */
interface JsBsr extends PackedMatrix { format: 'bsr'; b: Bsr; spans: BlockRowSpans }
type JsPacked = JsDense | JsCsr | JsBsr;

export class JsLinalg implements Linalg {
  readonly name = 'js' as const;
  readonly costs = COSTS.js;

  pack(src: WeightSource, opts: PackOptions): PackedMatrix {
    const { rows, cols } = sourceShape(src);
    const density = sourceDensity(src);
    const { choice, csr } = planPack(this, src, opts);
    if (choice.format === 'csr') {
      const m = csr ?? sourceCsr(src);
      const packed: JsCsr = { format: 'csr', rows, cols, nnz: m.values.length, bytes: csrBytes(m), density, block: null, m };
      return packed;
    }
    if (choice.format === 'bsr') {
      const b = bsrFromCsr(csr ?? sourceCsr(src), choice.br, 1, choice.rowMap);
      const bytes = b.values.byteLength + b.blockCol.byteLength + b.blockPtr.byteLength + b.rowMap.byteLength;
      const packed: JsBsr = {
        format: 'bsr', rows, cols, nnz: b.values.length, bytes, density, block: { br: b.br, bc: 1, map: choice.map },
        b, spans: new BlockRowSpans(b.rowMap, b.br, rows),
      };
      return packed;
    }
    const w = sourceDenseRows(src);
    const packed: JsDense = { format: 'dense', rows, cols, nnz: rows * cols, bytes: w.byteLength, density, block: null, w };
    return packed;
  }

  readonly generation = 0;
  alloc(n: number): BufferHandle { return { n, off: 0, arr: new Float32Array(n) }; }
  view(h: BufferHandle): Float32Array { return h.arr!; }
  scratch(sizes: number[], _uninitialised?: boolean): Float32Array[] {
    checkAllocation('float32', sizes.reduce((a, b) => a + b, 0), 'kernel scratch'); // sizes follow the model's dims (runtime/limits.ts)
    return sizes.map((n) => new Float32Array(n));
  }
  mark(): number { return 0; }
  release(_mark: number): void {}

  gemv(wp: PackedMatrix, x: Float32Array, y: Float32Array, o: GemvOptions = {}): void {
    const p = wp as JsPacked;
    const r0 = o.r0 ?? 0, r1 = o.r1 ?? p.rows, acc = o.accumulate ?? false, bias = o.bias ?? null;
    if (p.format === 'bsr') return gemvBsr(p, x, y, bias, r0, r1, acc);
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
    let r = r0;
    // Four rows at a time: each x load feeds four multiply-adds (as the WASM kernel and the BSR loops).
    for (; r + 4 <= r1; r += 4) {
      const b0 = r * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let c = 0; c < K; c++) {
        const xc = x[c];
        s0 += w[b0 + c] * xc; s1 += w[b1 + c] * xc; s2 += w[b2 + c] * xc; s3 += w[b3 + c] * xc;
      }
      y[r] = (acc ? y[r] : bias ? bias[r] : 0) + s0;
      y[r + 1] = (acc ? y[r + 1] : bias ? bias[r + 1] : 0) + s1;
      y[r + 2] = (acc ? y[r + 2] : bias ? bias[r + 2] : 0) + s2;
      y[r + 3] = (acc ? y[r + 3] : bias ? bias[r + 3] : 0) + s3;
    }
    for (; r < r1; r++) {
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
    if (p.format === 'bsr') return gemmBsrT(p.b, xt, P, yt, bias, acc);
    if (!acc) for (let r = 0; r < p.rows; r++) yt.fill(bias ? bias[r] : 0, r * P, (r + 1) * P);
    if (p.format === 'csr') {
      const { rowPtr, colIdx, values } = p.m;
      for (let r = 0; r < p.rows; r++) {
        for (let k = rowPtr[r], e = rowPtr[r + 1]; k < e; k++) axpy(values[k], xt, colIdx[k] * P, yt, r * P, P);
      }
      return;
    }
    const K = p.cols, w = p.w;
    let r = 0;
    // Four rows at a time (each xt load feeds four multiply-adds); columns where all four are zero are skipped.
    for (; r + 4 <= p.rows; r += 4) {
      const o0 = r * P, o1 = o0 + P, o2 = o1 + P, o3 = o2 + P;
      for (let k = 0; k < K; k++) {
        const v0 = w[r * K + k], v1 = w[(r + 1) * K + k], v2 = w[(r + 2) * K + k], v3 = w[(r + 3) * K + k];
        if (v0 === 0 && v1 === 0 && v2 === 0 && v3 === 0) continue;
        const xo = k * P;
        for (let j = 0; j < P; j++) {
          const xj = xt[xo + j];
          yt[o0 + j] += v0 * xj; yt[o1 + j] += v1 * xj; yt[o2 + j] += v2 * xj; yt[o3 + j] += v3 * xj;
        }
      }
    }
    for (; r < p.rows; r++) {
      for (let k = 0; k < K; k++) {
        const v = w[r * K + k];
        if (v !== 0) axpy(v, xt, k * P, yt, r * P, P);
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
    activateRange(ha, 0, g, C, C + H); // h(c) is never clipped (ONNX spec, onnxruntime)
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

/**
 * Block rows holding [r0, r1); per block row, four rows at a time in locals (one pass
 * over its blocks per four rows: V8 keeps four sums in registers, not an array), then
 * the rows in range through the row map.
 */
function gemvBsr(p: JsBsr, x: Float32Array, y: Float32Array, bias: Float32Array | null, r0: number, r1: number, acc: boolean): void {
  const { br, rowMap, blockPtr, blockCol, values } = p.b, nb1 = p.spans.nb + 1;
  const span = p.spans.get(r0, r1), b0 = Math.floor(span / nb1), b1 = span - b0 * nb1;
  for (let b = b0; b < b1; b++) {
    const a = blockPtr[b], e = blockPtr[b + 1];
    for (let q = 0; q < br; q += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = a; k < e; k++) {
        const xv = x[blockCol[k]], v = k * br + q;
        s0 += values[v] * xv; s1 += values[v + 1] * xv; s2 += values[v + 2] * xv; s3 += values[v + 3] * xv;
      }
      const m = b * br + q;
      put(y, bias, rowMap[m], r0, r1, acc, s0);
      put(y, bias, rowMap[m + 1], r0, r1, acc, s1);
      put(y, bias, rowMap[m + 2], r0, r1, acc, s2);
      put(y, bias, rowMap[m + 3], r0, r1, acc, s3);
    }
  }
}

function put(y: Float32Array, bias: Float32Array | null, r: number, r0: number, r1: number, acc: boolean, s: number): void {
  if (r >= r0 && r < r1) y[r] = (acc ? y[r] : bias ? bias[r] : 0) + s;
}

/** yt[rows, P] = init + W xt: per block row its rows' init, then per block and four rows one pass over the batch. */
function gemmBsrT(m: Bsr, xt: Float32Array, P: number, yt: Float32Array, bias: Float32Array | null, acc: boolean): void {
  const { br, rowMap, blockPtr, blockCol, values } = m;
  for (let b = 0; b < rowMap.length / br; b++) {
    if (!acc) {
      for (let j = 0; j < br; j++) {
        const r = rowMap[b * br + j];
        if (r >= 0) yt.fill(bias ? bias[r] : 0, r * P, (r + 1) * P);
      }
    }
    for (let q = b * br; q < (b + 1) * br; q += 4) {
      const ra = rowMap[q], rb = rowMap[q + 1], rc = rowMap[q + 2], rd = rowMap[q + 3];
      const full = ra >= 0 && rb >= 0 && rc >= 0 && rd >= 0;
      for (let k = blockPtr[b], e = blockPtr[b + 1]; k < e; k++) {
        const xo = blockCol[k] * P, v = k * br + q - b * br;
        if (full) {
          const v0 = values[v], v1 = values[v + 1], v2 = values[v + 2], v3 = values[v + 3];
          const o0 = ra * P, o1 = rb * P, o2 = rc * P, o3 = rd * P;
          for (let j = 0; j < P; j++) {
            const xj = xt[xo + j];
            yt[o0 + j] += v0 * xj; yt[o1 + j] += v1 * xj; yt[o2 + j] += v2 * xj; yt[o3 + j] += v3 * xj;
          }
        } else {
          for (let i = 0; i < 4; i++) if (rowMap[q + i] >= 0 && values[v + i] !== 0) axpy(values[v + i], xt, xo, yt, rowMap[q + i] * P, P);
        }
      }
    }
  }
}
