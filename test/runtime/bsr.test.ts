// Block-CSR format laws (runtime/bsr.ts): dense -> BSR -> dense is the identity for
// every block shape and row map (natural, per segment, gate-fused, several directions),
// BSR -> CSR keeps exactly the nonzeros, a whole-block mask is stored without padding,
// the shifted last block of a row overlaps its neighbour with zeros, row maps and
// block-row ranges have their closed forms, and the validator refuses each broken
// invariant by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blockRowRange, bsrBlockCount, bsrBlocks, bsrFromCsr, bsrStored, bsrToCsr, bsrToDense, gateFusedRowMap, naturalRowMap,
  validateBsr, type Bsr,
} from '../../runtime/bsr.ts';
import { csrFromDense } from '../../runtime/csr.ts';
import { RampartError } from '../../runtime/errors.ts';
import { randomFloats } from './helpers.ts';

function sparseMatrix(rows: number, cols: number, density: number, seed: number): Float32Array {
  const v = randomFloats(rows * cols, seed), keep = randomFloats(rows * cols, seed + 1);
  return v.map((x, i) => ((keep[i] + 1) / 2 < density ? x : 0));
}

/** A [rows, cols] matrix whose nonzeros are whole br x bc blocks over the block rows of rowMap. */
function blockMasked(rows: number, cols: number, rowMap: Int32Array, br: number, bc: number, keep: number, seed: number): Float32Array {
  const w = randomFloats(rows * cols, seed).map((v) => v || 0.5);
  const pick = randomFloats(rowMap.length / br * Math.ceil(cols / bc), seed + 3);
  const out = new Float32Array(rows * cols);
  let q = 0;
  for (let b = 0; b < rowMap.length / br; b++) {
    for (let c0 = 0; c0 < cols; c0 += bc, q++) {
      if ((pick[q] + 1) / 2 >= keep) continue;
      for (let j = 0; j < br; j++) {
        const r = rowMap[b * br + j];
        if (r < 0) continue;
        for (let c = c0; c < Math.min(cols, c0 + bc); c++) out[r * cols + c] = w[r * cols + c];
      }
    }
  }
  return out;
}

test('naturalRowMap: consecutive rows, a new block row at every segment start, -1 padding', () => {
  assert.deepEqual(Array.from(naturalRowMap(6, 4)), [0, 1, 2, 3, 4, 5, -1, -1]);
  assert.deepEqual(Array.from(naturalRowMap(10, 4, 5)), [0, 1, 2, 3, 4, -1, -1, -1, 5, 6, 7, 8, 9, -1, -1, -1]);
  assert.deepEqual(Array.from(naturalRowMap(8, 4, 4)), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(Array.from(naturalRowMap(0, 4)), []);
  assert.deepEqual(Array.from(naturalRowMap(3, 1)), [0, 1, 2]);
});

test('gateFusedRowMap: unit-major rows {u + g*hidden}, padding past the last unit, per direction', () => {
  // 4 gates x 3 units: block of 4 = one unit's i, o, f, c rows.
  assert.deepEqual(Array.from(gateFusedRowMap(12, 4, 4, 3)), [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
  // Blocks of 8 = two units; the third unit's block row is half padding.
  assert.deepEqual(Array.from(gateFusedRowMap(12, 8, 4, 3)), [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11, -1, -1, -1, -1]);
  // Two directions of 2 gates x 2 units: each direction is fused on its own.
  assert.deepEqual(Array.from(gateFusedRowMap(8, 2, 2, 2)), [0, 2, 1, 3, 4, 6, 5, 7]);
  assert.throws(() => gateFusedRowMap(12, 4, 3, 4), (e: unknown) => e instanceof RampartError && /multiple of the 3 gates/.test(e.message));
  assert.throws(() => gateFusedRowMap(10, 4, 4, 3), (e: unknown) => e instanceof RampartError && /multiple of gates\*hidden = 12/.test(e.message));
});

test('dense -> BSR -> dense round-trips for every block shape and row map, and the BSR is valid', () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [5, 3, 0.5], [37, 29, 0.2], [64, 40, 0.1], [16, 16, 1], [9, 4, 0], [24, 7, 0.6]];
  for (const [rows, cols, d] of shapes) {
    const w = sparseMatrix(rows, cols, d, rows * 7 + cols);
    const m = csrFromDense(w, rows, cols);
    for (const [br, bc] of [[1, 1], [4, 1], [8, 1], [16, 1], [1, 4], [2, 2], [3, 5]]) {
      if (bc > cols) continue;
      const maps: [string, Int32Array][] = [['natural', naturalRowMap(rows, br)], ['segment 3', naturalRowMap(rows, br, 3)]];
      if (rows % 4 === 0 && br % 4 === 0) maps.push(['gate-fused', gateFusedRowMap(rows, br, 4, rows / 4)]);
      for (const [label, map] of maps) {
        const what = `${rows}x${cols} d=${d} block ${br}x${bc} ${label}`;
        const b = bsrFromCsr(m, br, bc, map);
        validateBsr(b);
        assert.deepEqual(bsrToDense(b), w, what);
        assert.deepEqual(bsrToCsr(b), m, `${what}: back to the same CSR`);
        assert.equal(bsrBlockCount(m, bc, map, br), bsrBlocks(b), `${what}: the count is what the pack stores`);
        assert.equal(bsrStored(b), bsrBlocks(b) * br * bc);
        assert.ok(b.blockCol instanceof Uint16Array, 'uint16 column indices up to 65536 columns');
      }
    }
  }
});

test('a whole-block mask is stored as exactly its kept blocks, natural or gate-fused', () => {
  const rows = 64, cols = 48, H = 16;
  for (const br of [4, 8, 16]) {
    for (const [label, map] of [['natural', naturalRowMap(rows, br, H)], ['gate-fused', gateFusedRowMap(rows, br, 4, H)]] as const) {
      const w = blockMasked(rows, cols, map, br, 1, 0.25, br);
      const b = bsrFromCsr(csrFromDense(w, rows, cols), br, 1, map);
      let kept = 0;
      for (let q = 0; q < rows / br; q++) {
        for (let c = 0; c < cols; c++) if (Array.from(map.subarray(q * br, (q + 1) * br)).some((r) => w[r * cols + c] !== 0)) kept++;
      }
      assert.equal(bsrBlocks(b), kept, `${br}x1 ${label}`);
      assert.ok(kept > 0 && kept < (rows / br) * cols * 0.4, `${br}x1 ${label}: about a quarter of the blocks kept (${kept})`);
      assert.deepEqual(bsrToDense(b), w);
      // The same mask read with the other map needs more blocks (the runtime re-detects the structure by this count).
      const other = label === 'natural' ? gateFusedRowMap(rows, br, 4, H) : naturalRowMap(rows, br, H);
      assert.ok(bsrBlockCount(csrFromDense(w, rows, cols), 1, other, br) > kept, `${br}x1 ${label}: the other map costs more`);
    }
  }
});

test('the last block of a row is shifted left to fit and overlaps its neighbour with zeros', () => {
  // Row 0: nonzeros at columns 0 and 5 of 6, blocks of 1x4 -> starts 0 and 2 (not 5).
  const w = Float32Array.from([1, 0, 0, 0, 0, 2]);
  const b = bsrFromCsr(csrFromDense(w, 1, 6), 1, 4);
  assert.deepEqual(Array.from(b.blockCol), [0, 2]);
  assert.deepEqual(Array.from(b.values), [1, 0, 0, 0, 0, 0, 0, 2]);
  assert.deepEqual(bsrToDense(b), w);
  validateBsr(b);
  // Block 4x2 column-major: values[k*8 + i*4 + j] = W[j, c + i].
  const m = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // [4, 2]
  const b2 = bsrFromCsr(csrFromDense(m, 4, 2), 4, 2);
  assert.deepEqual(Array.from(b2.values), [1, 3, 5, 7, 2, 4, 6, 8]);
});

test('an all-zero matrix and a matrix with no rows have no blocks', () => {
  const z = bsrFromCsr(csrFromDense(new Float32Array(5 * 7), 5, 7), 4, 1);
  assert.equal(bsrBlocks(z), 0);
  assert.deepEqual(Array.from(z.blockPtr), [0, 0, 0]);
  validateBsr(z);
  const e = bsrFromCsr(csrFromDense(new Float32Array(0), 0, 3), 8, 1);
  assert.equal(e.rowMap.length, 0);
  assert.deepEqual(Array.from(e.blockPtr), [0]);
  validateBsr(e);
});

test('column indices are int32 beyond 65536 columns', () => {
  const w = new Float32Array(2 * 65540);
  w[65539] = 3; w[65540 + 1] = 4;
  const b = bsrFromCsr(csrFromDense(w, 2, 65540), 4, 1);
  assert.ok(b.blockCol instanceof Int32Array);
  assert.deepEqual(Array.from(b.blockCol), [1, 65539]);
  assert.deepEqual(bsrToDense(b), w);
});

test('bsrFromCsr refuses blocks wider than the matrix and row maps of the wrong length', () => {
  const m = csrFromDense(new Float32Array(12).fill(1), 4, 3);
  assert.throws(() => bsrFromCsr(m, 1, 4), (e: unknown) => e instanceof RampartError && /1 <= bc <= cols/.test(e.message));
  assert.throws(() => bsrFromCsr(m, 4, 1, Int32Array.from([0, 1, 2])), (e: unknown) => e instanceof RampartError && /multiple of br = 4/.test(e.message));
});

test('blockRowRange: GRU-style z/r and h row ranges map onto block rows when blocks keep to a gate', () => {
  const H = 6, m = csrFromDense(sparseMatrix(3 * H, 5, 0.5, 3), 3 * H, 5);
  const b = bsrFromCsr(m, 4, 1, naturalRowMap(3 * H, 4, H)); // 2 block rows per gate
  assert.deepEqual(blockRowRange(b, 0, 2 * H), [0, 4]);
  assert.deepEqual(blockRowRange(b, 2 * H, 3 * H), [4, 6]);
  assert.deepEqual(blockRowRange(b, 0, 3 * H), [0, 6]);
  assert.equal(blockRowRange(b, 1, 2 * H), null, 'block row 0 straddles row 1');
  assert.deepEqual(blockRowRange(b, 3, 3), [0, 0], 'an empty range');
  const plain = bsrFromCsr(m, 4, 1); // the block of rows 4..7 straddles the gate at 6
  assert.equal(blockRowRange(plain, H, 2 * H), null);
  const fused = bsrFromCsr(csrFromDense(sparseMatrix(16, 5, 0.5, 4), 16, 5), 4, 1, gateFusedRowMap(16, 4, 4, 4));
  assert.deepEqual(blockRowRange(fused, 0, 16), [0, 4]);
  assert.equal(blockRowRange(fused, 0, 4), null, 'one gate of a gate-fused map is not a block-row range');
});

test('the validator names each broken invariant', () => {
  const good = (): Bsr => bsrFromCsr(csrFromDense(Float32Array.from([1, 0, 2, 0, 0, 3, 0, 4, 5, 0, 0, 6]), 3, 4), 2, 1);
  const cases: [string, (b: Bsr) => void, RegExp][] = [
    ['zero block rows', (b) => { b.br = 0; }, /block 0x1/],
    ['fractional block', (b) => { b.bc = 1.5; }, /block 2x1.5/],
    ['block wider than the matrix', (b) => { b.bc = 5; }, /cols >= bc = 5/],
    ['row map length', (b) => { b.rowMap = b.rowMap.slice(0, 3); }, /row map of 3 entries/],
    ['row map out of range', (b) => { b.rowMap[1] = 3; }, /row map entry 3/],
    ['row map repeats a row', (b) => { b.rowMap[1] = 0; }, /row map entry 0/],
    ['block pointers length', (b) => { b.blockPtr = b.blockPtr.slice(0, 2); }, /block pointers have 2 entries/],
    ['block pointers start', (b) => { b.blockPtr = Int32Array.from([1, 4, 5]); }, /from 1/],
    ['block pointers decrease', (b) => { b.blockPtr = Int32Array.from([0, 5, 4]); }, /decrease at block row 1/],
    ['block columns count', (b) => { b.blockCol = b.blockCol.slice(1); }, /block columns for/],
    ['values count', (b) => { b.values = b.values.slice(2); }, /values for/],
    ['block column out of range', (b) => { b.blockCol[0] = 4; }, /block column 4 in block row 0/],
    ['block columns not increasing', (b) => { b.blockCol[1] = b.blockCol[0]; }, /not increasing in block row 0/],
  ];
  validateBsr(good());
  for (const [what, breakIt, re] of cases) {
    const b = good();
    breakIt(b);
    assert.throws(() => validateBsr(b, { node: 'n1' }), (e: unknown) => e instanceof RampartError && re.test(e.message) && /node 'n1'/.test(e.message), what);
  }
});
