// The WebAssembly SIMD backend. Memory is a bump arena managed from here: persistent
// allocations (packed weights, stream state) and per-kernel scratch that is released
// with mark()/release(). Every kernel call passes byte offsets of views into this
// memory; a non-zero Status from the module becomes a RampartError naming the kernel
// (the executor adds the node).
import type { Csr } from '../ir.ts';
import { bsrFromCsr, type Bsr } from '../bsr.ts';
import { U16_MAX_COLS } from '../csr.ts';
import { RampartError } from '../errors.ts';
import { checkAllocation } from '../limits.ts';
import { COSTS } from './crossover.ts';
import { Matrix, STATUS_NAMES } from './enums.ts';
import { planPack, type BufferHandle, type CellOptions, type GemvOptions, type Linalg, type PackedMatrix, type PackOptions, type RowMapKind, type SequenceRun, type WeightSource } from './linalg.ts';
import { BlockRowSpans, csrLayoutFor, identityRowMap, sourceCsr, sourceDenseRows, sourceDensity, sourceShape } from './pack.ts';
import { instantiateKernels, type KernelExports } from '../wasm/loader.ts';

interface WasmDense extends PackedMatrix { format: 'dense'; w: number }
/**
 * CSR as the kernels store it: 'padded' (every row a multiple of 4 entries) for the
 * batched kernels, 'blocked' for batch-1 gemv: BSR 1x4 with the identity row map
 * (runtime/bsr.ts's greedy cover), read by the gemvBlk kernels, which need no row
 * map and sum four rows at once (runtime/wasm/assembly/gemv.ts).
 */
interface WasmCsr extends PackedMatrix { format: 'csr'; layout: 'padded' | 'blocked'; values: number; colIdx: number; rowPtr: number; wide: boolean }
/** BSR br x 1 (runtime/wasm/assembly/bsr.ts); spans caches gemv row ranges -> block rows. */
interface WasmBsr extends PackedMatrix {
  format: 'bsr'; br: number; nb: number; values: number; blockCol: number; blockPtr: number; rowMap: number; wide: boolean; spans: BlockRowSpans;
}
type WasmPacked = WasmDense | WasmCsr | WasmBsr;

const PAGE = 65536;

export class WasmLinalg implements Linalg {
  readonly name = 'wasm' as const;
  readonly costs = COSTS.wasm;
  generation = 0;
  private top: number;
  private scratchDepth = 0;
  private f32: Float32Array;
  private i32: Int32Array;
  /** memory.buffer, cached: the WebAssembly.Memory getter is a slow API call. */
  private buf: ArrayBuffer;
  private readonly params: number;
  /** The matrix descriptor a sequence kernel reads (runtime/wasm/assembly/sequence.ts): 12 i32 words. */
  private readonly desc: number;

  static async create(): Promise<WasmLinalg> {
    return new WasmLinalg(await instantiateKernels());
  }

  private constructor(readonly k: KernelExports) {
    this.top = align(k.heapBase());
    this.buf = k.memory.buffer;
    this.f32 = new Float32Array(this.buf);
    this.i32 = new Int32Array(this.buf);
    this.params = this.allocBytes(32);
    this.desc = this.allocBytes(48);
  }

  /** Bytes of linear memory in use (for reports). */
  get heapBytes(): number { return this.top; }

  private allocBytes(bytes: number): number {
    const off = this.top;
    const end = align(off + bytes);
    const have = this.buf.byteLength;
    if (end > have) {
      // Grow geometrically so a model's packs and scratch settle after a few runs.
      const need = Math.ceil((end - have) / PAGE);
      this.k.memory.grow(Math.max(need, Math.ceil(have / PAGE / 2)));
      this.buf = this.k.memory.buffer;
      this.f32 = new Float32Array(this.buf);
      this.i32 = new Int32Array(this.buf);
      this.generation++;
    }
    this.top = end;
    return off;
  }

  alloc(n: number): BufferHandle {
    if (this.scratchDepth > 0) throw new RampartError('internal: persistent WASM allocation while scratch is in use');
    const off = this.allocBytes(n * 4);
    this.f32.fill(0, off >> 2, (off >> 2) + n);
    return { n, off };
  }

  view(h: BufferHandle): Float32Array {
    return new Float32Array(this.buf, h.off, h.n);
  }

  mark(): number {
    this.scratchDepth++;
    return this.top;
  }

  release(mark: number): void {
    this.scratchDepth--;
    this.top = mark;
  }

  scratch(sizes: number[], uninitialised = false): Float32Array[] {
    checkAllocation('float32', sizes.reduce((a, b) => a + b, 0), 'kernel scratch'); // sizes follow the model's dims (runtime/limits.ts)
    const offs = sizes.map((n) => this.allocBytes(n * 4));
    return sizes.map((n, i) => {
      if (!uninitialised) this.f32.fill(0, offs[i] >> 2, (offs[i] >> 2) + n);
      return new Float32Array(this.buf, offs[i], n);
    });
  }

  pack(src: WeightSource, opts: PackOptions): PackedMatrix {
    if (opts.persistent && this.scratchDepth > 0) throw new RampartError('internal: persistent pack while scratch is in use');
    const { rows, cols } = sourceShape(src);
    const density = sourceDensity(src);
    const { choice, csr } = planPack(this, src, opts);
    if (choice.format === 'dense') {
      const w = sourceDenseRows(src);
      const off = this.allocBytes(w.byteLength);
      this.f32.set(w, off >> 2);
      const packed: WasmDense = { format: 'dense', rows, cols, nnz: rows * cols, bytes: w.byteLength, density, w: off, block: null };
      return packed;
    }
    const m = csr ?? sourceCsr(src);
    if (choice.format === 'bsr') return this.packBsr(bsrFromCsr(m, choice.br, 1, choice.rowMap), choice.map, density);
    return csrLayoutFor(m, opts.batched ? 'padded' : 'blocked') === 'blocked' ? this.packBlocked(m, density) : this.packCsr(m, density);
  }

  /** Copies a BSR into linear memory: values, block columns, block pointers, row map. */
  private packBsr(b: Bsr, map: RowMapKind, density: number): WasmBsr {
    const n = b.blockCol.length, nb = b.blockPtr.length - 1, wide = b.blockCol instanceof Int32Array;
    const vOff = this.allocBytes(b.values.byteLength), cOff = this.allocBytes(b.blockCol.byteLength);
    const pOff = this.allocBytes(b.blockPtr.byteLength), mOff = this.allocBytes(b.rowMap.byteLength);
    new Float32Array(this.buf, vOff, b.values.length).set(b.values);
    (wide ? new Int32Array(this.buf, cOff, n) : new Uint16Array(this.buf, cOff, n)).set(b.blockCol);
    new Int32Array(this.buf, pOff, nb + 1).set(b.blockPtr);
    new Int32Array(this.buf, mOff, b.rowMap.length).set(b.rowMap);
    const bytes = b.values.byteLength + b.blockCol.byteLength + b.blockPtr.byteLength + b.rowMap.byteLength;
    return {
      format: 'bsr', rows: b.rows, cols: b.cols, nnz: b.values.length, bytes, density, block: { br: b.br, bc: 1, map },
      br: b.br, nb, values: vOff, blockCol: cOff, blockPtr: pOff, rowMap: mOff, wide, spans: new BlockRowSpans(b.rowMap, b.br, b.rows),
    };
  }

  /** BSR 1x4 over the identity row map: per row, groups [c, c+4) of the greedy cover, as gemvBlk reads them. */
  private packBlocked(m: Csr, density: number): WasmCsr {
    const b = bsrFromCsr(m, 1, 4, identityRowMap(m.rows));
    const n = b.blockCol.length, wide = b.blockCol instanceof Int32Array;
    const vOff = this.allocBytes(n * 16), cOff = this.allocBytes(n * (wide ? 4 : 2) + 8), rOff = this.allocBytes(b.blockPtr.byteLength);
    new Float32Array(this.buf, vOff, n * 4).set(b.values);
    (wide ? new Int32Array(this.buf, cOff, n) : new Uint16Array(this.buf, cOff, n)).set(b.blockCol);
    new Int32Array(this.buf, rOff, m.rows + 1).set(b.blockPtr);
    const bytes = n * 16 + n * (wide ? 4 : 2) + b.blockPtr.byteLength;
    return {
      format: 'csr', layout: 'blocked', rows: m.rows, cols: m.cols, nnz: n * 4, bytes, density, block: { br: 1, bc: 4, map: 'natural' },
      values: vOff, colIdx: cOff, rowPtr: rOff, wide,
    };
  }

  /** CSR with every row padded to a multiple of 4 (zero values) so the SIMD body has no tail. */
  private packCsr(m: Csr, density: number): WasmCsr {
    const rowPtr = new Int32Array(m.rows + 1);
    for (let r = 0; r < m.rows; r++) rowPtr[r + 1] = rowPtr[r] + ((m.rowPtr[r + 1] - m.rowPtr[r] + 3) & ~3);
    const n = rowPtr[m.rows];
    const wide = m.cols > U16_MAX_COLS;
    const vOff = this.allocBytes(n * 4), cOff = this.allocBytes(n * (wide ? 4 : 2) + 8), rOff = this.allocBytes(rowPtr.byteLength);
    const buf = this.buf;
    const values = new Float32Array(buf, vOff, n);
    const colIdx = wide ? new Int32Array(buf, cOff, n) : new Uint16Array(buf, cOff, n);
    values.fill(0);
    colIdx.fill(0);
    for (let r = 0; r < m.rows; r++) {
      const dst = rowPtr[r];
      for (let k = m.rowPtr[r]; k < m.rowPtr[r + 1]; k++) {
        values[dst + k - m.rowPtr[r]] = m.values[k];
        colIdx[dst + k - m.rowPtr[r]] = m.colIdx[k];
      }
    }
    new Int32Array(buf, rOff, m.rows + 1).set(rowPtr);
    const bytes = n * 4 + n * (wide ? 4 : 2) + rowPtr.byteLength;
    return { format: 'csr', layout: 'padded', rows: m.rows, cols: m.cols, nnz: n, bytes, density, block: null, values: vOff, colIdx: cOff, rowPtr: rOff, wide };
  }

  private at(a: Float32Array | Int32Array | null, what: string): number {
    if (a === null) return 0;
    if (a.buffer !== this.buf) {
      throw new RampartError(`internal: ${what} is not a view of this backend's WASM memory (detached or foreign)`);
    }
    return a.byteOffset;
  }

  private check(status: number, kernel: string): void {
    if (status !== 0) {
      throw new RampartError(`WASM kernel ${kernel} failed with status ${STATUS_NAMES[status] ?? status}`, { expected: 'status Ok' });
    }
  }

  gemv(wp: PackedMatrix, x: Float32Array, y: Float32Array, o: GemvOptions = {}): void {
    const p = wp as WasmPacked;
    const r0 = o.r0 ?? 0, r1 = o.r1 ?? p.rows, acc = o.accumulate ? 1 : 0;
    const xo = this.at(x, 'x'), yo = this.at(y, 'y'), bo = this.at(o.bias ?? null, 'bias');
    if (p.format === 'dense') this.check(this.k.gemvDense(p.w, p.cols, xo, yo, bo, r0, r1, acc), 'gemvDense');
    else if (p.format === 'bsr') {
      const s = p.spans.get(r0, r1), b0 = Math.floor(s / (p.nb + 1)), b1 = s - b0 * (p.nb + 1);
      if (p.wide) this.check(this.k.gemvBsr32(p.br, p.values, p.blockCol, p.blockPtr, p.rowMap, p.rows, p.cols, xo, yo, bo, b0, b1, r0, r1, acc), 'gemvBsr32');
      else this.check(this.k.gemvBsr16(p.br, p.values, p.blockCol, p.blockPtr, p.rowMap, p.rows, p.cols, xo, yo, bo, b0, b1, r0, r1, acc), 'gemvBsr16');
    } else if (p.layout === 'blocked') {
      if (p.wide) this.check(this.k.gemvBlk32(p.values, p.colIdx, p.rowPtr, xo, yo, bo, r0, r1, acc), 'gemvBlk32');
      else this.check(this.k.gemvBlk16(p.values, p.colIdx, p.rowPtr, xo, yo, bo, r0, r1, acc), 'gemvBlk16');
    } else if (p.wide) this.check(this.k.gemvCsr32(p.values, p.colIdx, p.rowPtr, xo, yo, bo, r0, r1, acc), 'gemvCsr32');
    else this.check(this.k.gemvCsr16(p.values, p.colIdx, p.rowPtr, xo, yo, bo, r0, r1, acc), 'gemvCsr16');
  }

  gemmT(wp: PackedMatrix, xt: Float32Array, P: number, yt: Float32Array, bias: Float32Array | null, accumulate: boolean): void {
    const p = wp as WasmPacked;
    const xo = this.at(xt, 'xt'), yo = this.at(yt, 'yt'), bo = this.at(bias, 'bias'), acc = accumulate ? 1 : 0;
    if (p.format === 'dense') this.check(this.k.gemmDenseT(p.w, p.rows, p.cols, xo, P, yo, bo, acc), 'gemmDenseT');
    else if (p.format === 'bsr') {
      if (p.wide) this.check(this.k.gemmBsr32T(p.br, p.values, p.blockCol, p.blockPtr, p.rowMap, p.nb, p.rows, p.cols, xo, P, yo, bo, acc), 'gemmBsr32T');
      else this.check(this.k.gemmBsr16T(p.br, p.values, p.blockCol, p.blockPtr, p.rowMap, p.nb, p.rows, p.cols, xo, P, yo, bo, acc), 'gemmBsr16T');
    } else if (p.layout === 'blocked') {
      if (p.wide) this.check(this.k.gemmBlk32T(p.values, p.colIdx, p.rowPtr, p.rows, xo, P, yo, bo, acc), 'gemmBlk32T');
      else this.check(this.k.gemmBlk16T(p.values, p.colIdx, p.rowPtr, p.rows, xo, P, yo, bo, acc), 'gemmBlk16T');
    } else if (p.wide) this.check(this.k.gemmCsr32T(p.values, p.colIdx, p.rowPtr, p.rows, xo, P, yo, bo, acc), 'gemmCsr32T');
    else this.check(this.k.gemmCsr16T(p.values, p.colIdx, p.rowPtr, p.rows, xo, P, yo, bo, acc), 'gemmCsr16T');
  }

  maxPool2d(x: Float32Array, planes: number, h: number, w: number, k: number[], s: number[], pads: number[], dil: number[],
    oh: number, ow: number, y: Float32Array): void {
    this.check(this.k.maxPool2d(this.at(x, 'x'), planes, h, w, k[0], k[1], s[0], s[1], pads[0], pads[1], dil[0], dil[1], oh, ow,
      this.at(y, 'y')), 'maxPool2d');
  }

  relu(p: Float32Array): void {
    this.check(this.k.reluInPlace(this.at(p, 'p'), p.length), 'reluInPlace');
  }

  transpose(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
    this.check(this.k.transpose2d(this.at(src, 'src'), rows, cols, this.at(dst, 'dst')), 'transpose2d');
  }

  im2col(x: Float32Array, c: number, h: number, w: number, k: number[], s: number[], pads: number[], dil: number[],
    oh: number, ow: number, out: Float32Array): void {
    this.check(this.k.im2col(this.at(x, 'x'), c, h, w, k[0], k[1], s[0], s[1], pads[0], pads[1], dil[0], dil[1], oh, ow,
      this.at(out, 'out')), 'im2col');
  }

  /** Writes the activation parameters into the shared params block; returns packed ids. */
  private acts(cell: CellOptions): number {
    let ids = 0;
    const acts = cell.acts, base = this.params >> 2;
    for (let i = 0; i < acts.length; i++) {
      ids |= acts[i].id << (8 * i);
      this.f32[base + 2 * i] = acts[i].alpha;
      this.f32[base + 2 * i + 1] = acts[i].beta;
    }
    return ids;
  }

  lstmCell(g: Float32Array, c: Float32Array, h: Float32Array, y: Float32Array | null, peep: Float32Array | null,
    cell: CellOptions, inputForget: boolean): void {
    const ids = this.acts(cell);
    this.check(this.k.lstmCell(this.at(g, 'g'), this.at(c, 'c'), this.at(h, 'h'), this.at(y, 'y'), h.length,
      this.at(peep, 'peep'), ids, this.params, cell.clip, inputForget ? 1 : 0), 'lstmCell');
  }

  gruCell(phase: 0 | 1, xg: Float32Array, rh: Float32Array, h: Float32Array, tmp: Float32Array, y: Float32Array | null,
    cell: CellOptions, lbr: boolean): void {
    const ids = this.acts(cell);
    this.check(this.k.gruCell(phase, this.at(xg, 'xg'), this.at(rh, 'rh'), this.at(h, 'h'), this.at(tmp, 'tmp'),
      this.at(y, 'y'), h.length, ids, this.params, cell.clip, lbr ? 1 : 0), 'gruCell');
  }

  rnnCell(g: Float32Array, h: Float32Array, y: Float32Array | null, cell: CellOptions): void {
    const ids = this.acts(cell);
    this.check(this.k.rnnCell(this.at(g, 'g'), this.at(h, 'h'), this.at(y, 'y'), h.length, ids, this.params, cell.clip), 'rnnCell');
  }

  /**
   * All steps of one direction in one kernel call. R's descriptor: its format and the
   * gemv kernel's matrix arguments; for BSR the block-row spans of the step's row ranges.
   */
  sequence(r: SequenceRun): void {
    const p = r.R as WasmPacked, H = r.hidden, G = (r.kind === 'LSTM' ? 4 : r.kind === 'GRU' ? 3 : 1) * H;
    if (p.rows !== G || p.cols !== H) throw new RampartError(`internal: ${r.kind} R packed as [${p.rows}, ${p.cols}]`, { expected: `[${G}, ${H}]` });
    const gru = r.kind === 'GRU';
    const r1 = gru && !r.linearBeforeReset ? 2 * H : G;
    this.describe(p, 0, r1, gru ? 2 * H : 0, gru ? G : r1);
    const ids = this.acts(r.cell), rev = r.reverse ? 1 : 0;
    const m = this.desc, gx = this.at(r.gx, 'gx'), lens = this.at(r.lens, 'lens'), h = this.at(r.h, 'h'), y = this.at(r.y, 'y');
    const clip = r.cell.clip;
    if (r.kind === 'LSTM') {
      this.check(this.k.lstmSequence(m, gx, r.steps, r.batch, H, lens, rev, h, this.at(r.c, 'c'), y, r.yStep, r.yBatch,
        this.at(r.peep, 'peep'), ids, this.params, clip, r.inputForget ? 1 : 0), 'lstmSequence');
    } else if (gru) {
      this.check(this.k.gruSequence(m, gx, r.steps, r.batch, H, lens, rev, h, y, r.yStep, r.yBatch, this.at(r.rh, 'rh'),
        this.at(r.tmp, 'tmp'), this.at(r.rb, 'rb'), ids, this.params, clip, r.linearBeforeReset ? 1 : 0), 'gruSequence');
    } else {
      this.check(this.k.rnnSequence(m, gx, r.steps, r.batch, H, lens, rev, h, y, r.yStep, r.yBatch, ids, this.params, clip), 'rnnSequence');
    }
  }

  /** Writes p's descriptor; rows [a0, a1) and [b0, b1) are the ranges a step's gemvs run (BSR spans). */
  private describe(p: WasmPacked, a0: number, a1: number, b0: number, b1: number): void {
    const d = this.i32, o = this.desc >> 2;
    if (p.format === 'dense') {
      d[o] = Matrix.Dense; d[o + 1] = p.w; d[o + 2] = p.cols;
    } else if (p.format === 'csr') {
      d[o] = p.layout === 'blocked' ? (p.wide ? Matrix.Blocked32 : Matrix.Blocked16) : (p.wide ? Matrix.Csr32 : Matrix.Csr16);
      d[o + 1] = p.values; d[o + 2] = p.colIdx; d[o + 3] = p.rowPtr;
    } else {
      d[o] = p.wide ? Matrix.Bsr32 : Matrix.Bsr16;
      d[o + 1] = p.br; d[o + 2] = p.values; d[o + 3] = p.blockCol; d[o + 4] = p.blockPtr; d[o + 5] = p.rowMap; d[o + 6] = p.rows; d[o + 7] = p.cols;
      const n1 = p.nb + 1, sa = p.spans.get(a0, a1), sb = p.spans.get(b0, b1);
      d[o + 8] = Math.floor(sa / n1); d[o + 9] = sa % n1;
      d[o + 10] = Math.floor(sb / n1); d[o + 11] = sb % n1;
    }
  }
}

function align(n: number): number {
  return (n + 15) & ~15;
}
