// The block-CSR kernels (br x 1, br = 4, 8, 16) of both backends against a float64
// dense product computed here: gemv with bias, accumulate and row ranges (ranges that
// fall inside, across and between block rows), gemmT for batch widths around the
// SIMD tiles, uint16 and int32 block columns, padded edge block rows, natural rows
// kept inside gates and gate-fused rows; and the WASM kernels' refusals of bad shapes
// and of pointer ranges outside memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateFusedRowMap, naturalRowMap } from '../../runtime/bsr.ts';
import { RampartError } from '../../runtime/errors.ts';
import { JsLinalg } from '../../runtime/kernels/js-linalg.ts';
import type { Linalg, PackedMatrix, RowMapKind, StructureHint } from '../../runtime/kernels/linalg.ts';
import { WasmLinalg } from '../../runtime/kernels/wasm-linalg.ts';
import { STATUS_NAMES } from '../../runtime/kernels/enums.ts';
import { randomFloats } from './helpers.ts';

const wasm = await WasmLinalg.create();
const backends: Linalg[] = [new JsLinalg(), wasm];
const REL = 1e-5;

/** Zeroes whole br x 1 blocks over the block rows of rowMap (keeping about `keep` of them) and, with `loose`, single entries too. */
function blockMasked(rows: number, cols: number, rowMap: Int32Array, br: number, keep: number, seed: number, loose = 0): Float32Array {
  const w = randomFloats(rows * cols, seed).map((v) => v || 0.25);
  const pick = randomFloats((rowMap.length / br) * cols, seed + 1), drop = randomFloats(rows * cols, seed + 2);
  const out = new Float32Array(rows * cols);
  for (let b = 0; b < rowMap.length / br; b++) {
    for (let c = 0; c < cols; c++) {
      if ((pick[b * cols + c] + 1) / 2 >= keep) continue;
      for (let j = 0; j < br; j++) {
        const r = rowMap[b * br + j];
        if (r >= 0 && (drop[r * cols + c] + 1) / 2 >= loose) out[r * cols + c] = w[r * cols + c];
      }
    }
  }
  return out;
}

/** y[r, p] = init[r, p] + sum_k w[r, k] x[k, p] in float64, and the magnitude sum the error is relative to. */
function oracle(w: Float32Array, rows: number, cols: number, x: Float32Array, P: number, init: (r: number, p: number) => number) {
  const y = new Float64Array(rows * P), mag = new Float64Array(rows * P);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < P; p++) {
      const i0 = init(r, p);
      let s = i0, m = Math.abs(i0);
      for (let k = 0; k < cols; k++) {
        const t = w[r * cols + k] * x[k * P + p];
        s += t; m += Math.abs(t);
      }
      y[r * P + p] = s; mag[r * P + p] = m;
    }
  }
  return { y, mag };
}

function assertClose(got: Float32Array, want: { y: Float64Array; mag: Float64Array }, what: string, only?: (i: number) => boolean): void {
  for (let i = 0; i < want.y.length; i++) {
    if (only && !only(i)) continue;
    const d = Math.abs(got[i] - want.y[i]);
    assert.ok(d <= REL * Math.max(want.mag[i], 1e-30), `${what}: entry ${i} is ${got[i]}, want ${want.y[i]} (diff ${d})`);
  }
}

interface Case { label: string; rows: number; cols: number; br: number; map: RowMapKind; hint?: StructureHint; rowMap: Int32Array }

function cases(): Case[] {
  const out: Case[] = [];
  for (const br of [4, 8, 16]) {
    // Edge block rows: rows not a multiple of br (padding), one row, one column, a gate-sized segment.
    for (const [rows, cols] of [[1, 1], [5, 3], [37, 29], [64, 256], [130, 70]]) {
      out.push({ label: `${rows}x${cols} natural`, rows, cols, br, map: 'natural', rowMap: naturalRowMap(rows, br) });
    }
    const H = 6; // LSTM-like: 4 gates of 6 rows; natural blocks kept inside gates, and gate-fused
    out.push({ label: `LSTM H${H} natural per gate`, rows: 4 * H, cols: 9, br, map: 'natural', hint: { segment: H, gates: 4, hidden: H }, rowMap: naturalRowMap(4 * H, br, H) });
    out.push({ label: `LSTM H${H} gate-fused`, rows: 4 * H, cols: 9, br, map: 'gate-fused', hint: { segment: H, gates: 4, hidden: H }, rowMap: gateFusedRowMap(4 * H, br, 4, H) });
    out.push({ label: 'LSTM H32 gate-fused', rows: 128, cols: 40, br, map: 'gate-fused', hint: { segment: 32, gates: 4, hidden: 32 }, rowMap: gateFusedRowMap(128, br, 4, 32) });
  }
  return out;
}

function withPack<T>(la: Linalg, fn: () => T): T {
  const m = la.mark();
  try {
    return fn();
  } finally {
    la.release(m);
  }
}

function packBsr(la: Linalg, c: Case, w: Float32Array, batched: boolean): PackedMatrix {
  const W = la.pack({ dense: w, rows: c.rows, cols: c.cols, hint: c.hint }, { persistent: false, batched, format: { bsr: c.br, map: c.map } });
  assert.equal(W.format, 'bsr');
  assert.deepEqual(W.block, { br: c.br, bc: 1, map: c.map });
  return W;
}

for (const la of backends) {
  test(`${la.name} bsr gemv: bias, accumulate and row ranges against the float64 product`, () => {
    for (const c of cases()) {
      for (const loose of [0, 0.5]) {
        const what = `${c.br}x1 ${c.label}${loose ? ' (blocks partly zero)' : ''}`;
        const w = blockMasked(c.rows, c.cols, c.rowMap, c.br, 0.3, c.rows + c.cols + c.br, loose);
        withPack(la, () => {
          const W = packBsr(la, c, w, false);
          const [x, y, b] = la.scratch([c.cols, c.rows, c.rows]);
          x.set(randomFloats(c.cols, 3));
          b.set(randomFloats(c.rows, 4));
          la.gemv(W, x, y, { bias: b });
          assertClose(y, oracle(w, c.rows, c.cols, x, 1, (r) => b[r]), `${what} bias`);
          const before = Float64Array.from(y);
          la.gemv(W, x, y, { accumulate: true });
          assertClose(y, oracle(w, c.rows, c.cols, x, 1, (r) => before[r]), `${what} accumulate`);
          la.gemv(W, x, y);
          assertClose(y, oracle(w, c.rows, c.cols, x, 1, () => 0), `${what} no bias`);
          // Ranges inside one block row, across block rows and (gate-fused) spread over all of them.
          for (const [r0, r1] of [[0, Math.ceil(c.rows / 2)], [Math.floor(c.rows / 3), Math.ceil((2 * c.rows) / 3)], [c.rows - 1, c.rows], [1, 1]]) {
            y.fill(-7);
            la.gemv(W, x, y, { r0, r1, bias: b });
            const want = oracle(w, c.rows, c.cols, x, 1, (r) => b[r]);
            assertClose(y, want, `${what} rows [${r0}, ${r1})`, (r) => r >= r0 && r < r1);
            for (let r = 0; r < c.rows; r++) if (r < r0 || r >= r1) assert.equal(y[r], -7, `${what} [${r0}, ${r1}): row ${r} untouched`);
          }
        });
      }
    }
  });

  test(`${la.name} bsr gemv: a GRU's z/r and h row ranges, natural blocks kept inside gates or not`, () => {
    const H = 10, rows = 3 * H, cols = 12;
    for (const br of [4, 8, 16]) {
      for (const hint of [{ segment: H, gates: 3, hidden: H }, undefined]) {
        const c: Case = { label: 'GRU', rows, cols, br, map: 'natural', hint, rowMap: naturalRowMap(rows, br, hint ? H : rows) };
        const w = blockMasked(rows, cols, c.rowMap, br, 0.5, br + (hint ? 1 : 0));
        withPack(la, () => {
          const W = packBsr(la, c, w, false);
          const [x, y, b] = la.scratch([cols, rows, rows]);
          x.set(randomFloats(cols, 5));
          b.set(randomFloats(rows, 6));
          y.fill(-3);
          la.gemv(W, x, y, { bias: b, r0: 0, r1: 2 * H });
          for (let r = 2 * H; r < rows; r++) assert.equal(y[r], -3);
          la.gemv(W, x, y, { bias: b, r0: 2 * H, r1: rows });
          assertClose(y, oracle(w, rows, cols, x, 1, (r) => b[r]), `${br}x1 GRU ${hint ? 'per gate' : 'straddling'}`);
        });
      }
    }
  });

  test(`${la.name} bsr gemmT: batch widths around the SIMD tiles, bias and accumulate`, () => {
    for (const c of cases()) {
      for (const P of [1, 3, 4, 5, 8, 9, 16, 21, 33]) {
        const what = `${c.br}x1 ${c.label} P=${P}`;
        const w = blockMasked(c.rows, c.cols, c.rowMap, c.br, 0.3, c.rows * 3 + c.cols + P, 0.3);
        withPack(la, () => {
          const W = packBsr(la, c, w, true);
          const [xt, yt, b] = la.scratch([c.cols * P, c.rows * P, c.rows]);
          xt.set(randomFloats(c.cols * P, P));
          b.set(randomFloats(c.rows, 11));
          la.gemmT(W, xt, P, yt, b, false);
          assertClose(yt, oracle(w, c.rows, c.cols, xt, P, (r) => b[r]), `${what} bias`);
          const before = Float64Array.from(yt);
          la.gemmT(W, xt, P, yt, null, true);
          assertClose(yt, oracle(w, c.rows, c.cols, xt, P, (r, p) => before[r * P + p]), `${what} accumulate`);
          la.gemmT(W, xt, P, yt, null, false);
          assertClose(yt, oracle(w, c.rows, c.cols, xt, P, () => 0), `${what} no bias`);
        });
      }
    }
  });

  test(`${la.name} bsr: int32 block columns past 65536 columns`, () => {
    const rows = 20, cols = 70000;
    for (const br of [4, 8, 16]) {
      const rowMap = naturalRowMap(rows, br);
      const w = blockMasked(rows, cols, rowMap, br, 0.002, br);
      // Blocks at the far end of the columns too.
      for (let r = 0; r < rows; r++) w[r * cols + cols - 1] = 0.5 + r;
      const c: Case = { label: 'wide', rows, cols, br, map: 'natural', rowMap };
      for (const P of [1, 9]) {
        withPack(la, () => {
          const W = packBsr(la, c, w, P > 1);
          const [x, y, b] = la.scratch([cols * P, rows * P, rows]);
          x.set(randomFloats(cols * P, 8));
          b.set(randomFloats(rows, 9));
          if (P === 1) la.gemv(W, x, y, { bias: b });
          else la.gemmT(W, x, P, y, b, false);
          assertClose(y, oracle(w, rows, cols, x, P, (r) => b[r]), `${br}x1 ${cols} columns P=${P}`);
        });
      }
    }
  });
}

test('the forced block format picks the map that stores least when none is named', () => {
  const H = 16, rows = 4 * H, cols = 32, hint = { segment: H, gates: 4, hidden: H };
  for (const la of backends) {
    for (const [map, rowMap] of [['natural', naturalRowMap(rows, 8, H)], ['gate-fused', gateFusedRowMap(rows, 8, 4, H)]] as const) {
      const w = blockMasked(rows, cols, rowMap, 8, 0.25, 3);
      withPack(la, () => {
        const W = la.pack({ dense: w, rows, cols, hint }, { persistent: false, format: { bsr: 8 } });
        assert.deepEqual(W.block, { br: 8, bc: 1, map }, `${la.name}: ${map} mask`);
        let kept = 0;
        for (let b = 0; b < rows / 8; b++) for (let k = 0; k < cols; k++) if ([...rowMap.subarray(b * 8, b * 8 + 8)].some((r) => w[r * cols + k] !== 0)) kept++;
        assert.equal(W.nnz, kept * 8, 'stores exactly the kept blocks');
      });
    }
    assert.throws(() => la.pack({ dense: new Float32Array(4), rows: 2, cols: 2 }, { persistent: false, format: { bsr: 5 } }),
      (e: unknown) => e instanceof RampartError && /blocks of 4, 8, 16 rows/.test(e.message));
  }
});

test('wasm bsr kernels refuse bad block heights, ranges and pointer ranges outside memory with a status', () => {
  const k = wasm.k, status = (s: number) => STATUS_NAMES[s];
  withPack(wasm, () => {
    const rows = 8, cols = 4;
    const c: Case = { label: 'small', rows, cols, br: 4, map: 'natural', rowMap: naturalRowMap(rows, 4) };
    const W = packBsr(wasm, c, new Float32Array(rows * cols).fill(1), false) as PackedMatrix & { values: number; blockCol: number; blockPtr: number; rowMap: number };
    const [x, y] = wasm.scratch([cols, rows]);
    const end = k.memory.buffer.byteLength;
    const call = (o: Partial<Record<'br' | 'values' | 'blockPtr' | 'rowMap' | 'x' | 'y' | 'b1' | 'r1', number>>) =>
      status(k.gemvBsr16(o.br ?? 4, o.values ?? W.values, W.blockCol, o.blockPtr ?? W.blockPtr, o.rowMap ?? W.rowMap, rows, cols,
        o.x ?? x.byteOffset, o.y ?? y.byteOffset, 0, 0, o.b1 ?? 2, 0, o.r1 ?? rows, 0));
    assert.equal(call({}), 'Ok');
    assert.equal(call({ br: 5 }), 'BadShape');
    assert.equal(call({ r1: rows + 1 }), 'BadShape');
    assert.equal(call({ y: end - 8 }), 'OutOfBounds');
    assert.equal(call({ x: end - 4 }), 'OutOfBounds');
    assert.equal(call({ blockPtr: end - 4 }), 'OutOfBounds');
    assert.equal(call({ rowMap: end - 16 }), 'OutOfBounds');
    assert.equal(call({ values: end - 64 }), 'OutOfBounds');
    const [xt, yt] = wasm.scratch([cols * 3, rows * 3]);
    const gemm = (yo: number, br = 4) => status(k.gemmBsr16T(br, W.values, W.blockCol, W.blockPtr, W.rowMap, 2, rows, cols, xt.byteOffset, 3, yo, 0, 0));
    assert.equal(gemm(yt.byteOffset), 'Ok');
    assert.equal(gemm(end - 16), 'OutOfBounds');
    assert.equal(gemm(yt.byteOffset, 12), 'BadShape');
    // Through the backend, a failing status is a RampartError naming the kernel.
    assert.throws(() => wasm.gemv(W, x, y, { r0: 0, r1: rows + 1 }), (e: unknown) => e instanceof RampartError && /gemvBsr16/.test(e.message) && /BadShape/.test(e.message));
  });
});
