// CSR format laws: dense -> CSR -> dense is the identity, transposing twice is the
// identity, the validator refuses each broken invariant, and the index width follows
// the column count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrDensity, csrFromDense, csrRowSlice, csrToDense, csrTranspose, validateCsr } from '../../runtime/csr.ts';
import { RampartError } from '../../runtime/errors.ts';
import type { Csr } from '../../runtime/ir.ts';
import { randomFloats } from './helpers.ts';

function sparseMatrix(rows: number, cols: number, density: number, seed: number): Float32Array {
  const v = randomFloats(rows * cols, seed), keep = randomFloats(rows * cols, seed + 1);
  return v.map((x, i) => ((keep[i] + 1) / 2 < density ? x : 0));
}

test('dense -> CSR -> dense round-trips at several densities and shapes, and the CSR is valid', () => {
  for (const [rows, cols, d] of [[1, 1, 1], [7, 13, 0.3], [64, 5, 0.05], [3, 200, 0], [33, 33, 0.9]] as const) {
    const m = sparseMatrix(rows, cols, d, rows * 31 + cols);
    const csr = csrFromDense(m, rows, cols);
    validateCsr(csr);
    assert.deepEqual(csrToDense(csr), m);
    const nz = m.filter((x) => x !== 0).length;
    assert.equal(csr.values.length, nz);
    assert.equal(csrDensity(csr), rows * cols ? nz / (rows * cols) : 0);
  }
});

test('transpose twice is the identity and transposes the dense matrix', () => {
  const m = sparseMatrix(9, 17, 0.4, 5);
  const csr = csrFromDense(m, 9, 17);
  const t = csrTranspose(csr);
  validateCsr(t);
  const td = csrToDense(t);
  for (let r = 0; r < 9; r++) for (let c = 0; c < 17; c++) assert.equal(td[c * 9 + r], m[r * 17 + c]);
  assert.deepEqual(csrToDense(csrTranspose(t)), m);
});

test('row slices are valid CSRs of the row blocks', () => {
  const m = sparseMatrix(12, 6, 0.5, 9);
  const s = csrRowSlice(csrFromDense(m, 12, 6), 4, 10);
  validateCsr(s);
  assert.deepEqual(csrToDense(s), m.slice(4 * 6, 10 * 6));
});

test('column indices are uint16 up to 65536 columns and int32 beyond', () => {
  assert.ok(csrFromDense(new Float32Array(65536).fill(1), 1, 65536).colIdx instanceof Uint16Array);
  const wide = new Float32Array(65537);
  wide[65536] = 2;
  const csr = csrFromDense(wide, 1, 65537);
  assert.ok(csr.colIdx instanceof Int32Array);
  assert.equal(csr.colIdx[0], 65536);
});

test('the validator names each broken invariant', () => {
  const good = (): Csr => csrFromDense(Float32Array.from([1, 0, 2, 0, 3, 0]), 2, 3);
  const cases: [string, (m: Csr) => void, RegExp][] = [
    ['short row pointers', (m) => { m.rowPtr = m.rowPtr.slice(0, 2); }, /row pointers have 2 entries/],
    ['non-zero start', (m) => { m.rowPtr = Int32Array.from([1, 2, 3]); }, /start at 1/],
    ['decreasing', (m) => { m.rowPtr = Int32Array.from([0, 3, 3]); m.rowPtr[1] = 4; }, /decrease at row 1/],
    ['column out of range', (m) => { m.colIdx[0] = 3; }, /out of range/],
    ['unsorted columns', (m) => { m.colIdx = Uint16Array.from([2, 0, 1]); }, /not sorted/],
    ['nnz mismatch', (m) => { m.values = m.values.slice(0, 2); }, /values but row pointers end at 3/],
  ];
  for (const [what, breakIt, re] of cases) {
    const m = good();
    breakIt(m);
    assert.throws(() => validateCsr(m, { node: 'n1' }), (e: unknown) => e instanceof RampartError && re.test(e.message) && /node 'n1'/.test(e.message), what);
  }
});
