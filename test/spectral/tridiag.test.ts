import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { topRitz, tridiagEigen } from '../../src/spectral/tridiag.ts';
import { jacobiEigen } from '../../src/spectral/dense.ts';
import { lcg } from './helpers.ts';

function dense(d: number[], e: number[]): Matrix {
  const n = d.length;
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) { m.set(i, i, d[i]); if (i < n - 1) { m.set(i, i + 1, e[i]); m.set(i + 1, i, e[i]); } }
  return m;
}

test('tridiagonal QL, top Ritz pair by bisection, and Jacobi agree with ml-matrix', () => {
  const rand = lcg(21);
  for (const n of [1, 2, 3, 7, 20, 60]) {
    for (const kind of ['random', 'repeated', 'split']) {
      const d = Array.from({ length: n }, () => (kind === 'repeated' ? 2 : rand() * 10));
      const e = Array.from({ length: Math.max(0, n - 1) }, (_, i) => (kind === 'split' && i === Math.floor(n / 2) ? 0 : rand()));
      const ev = new EigenvalueDecomposition(dense(d, e), { assumeSymmetric: true });
      const ref = ev.realEigenvalues.slice().sort((a, b) => b - a);
      const scale = Math.max(1, Math.abs(ref[0]));
      const ql = Array.from(tridiagEigen(d, e, n, [n - 1]).values).sort((a, b) => b - a);
      ql.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 1e-12 * scale, `QL n=${n} ${kind}`));
      const top = topRitz(d, e, n);
      assert.ok(Math.abs(top.theta - ref[0]) < 1e-13 * scale, `θ1 n=${n} ${kind}: ${top.theta} vs ${ref[0]}`);
      if (n > 1) assert.ok(top.gap <= ref[0] - ref[1] + 1e-12 * scale && top.gap >= 0.99 * (ref[0] - ref[1]) - 1e-12 * scale, `gap n=${n} ${kind}`);
      // |last component| of θ1's eigenvector (unique when the gap is not tiny)
      if (n === 1 || ref[0] - ref[1] > 1e-6) {
        const vecs = ev.eigenvectorMatrix;
        const k = ev.realEigenvalues.indexOf(Math.max(...ev.realEigenvalues));
        assert.ok(Math.abs(top.lastComponent - Math.abs(vecs.get(n - 1, k))) < 1e-9, `last component n=${n} ${kind}`);
      }
      const jac = Array.from(jacobiEigen(Float64Array.from(dense(d, e).to1DArray()), n).values).sort((a, b) => b - a);
      jac.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) < 1e-12 * scale, `Jacobi n=${n} ${kind}`));
    }
  }
});
