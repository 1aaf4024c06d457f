import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { bipartiteFromView, topTwoSingularValues } from '../../src/spectral/index.ts';
import { pattern } from '../../src/spectral/sparse.ts';
import { arrayCode, denseSingularValues, lcg, randomView, twoCopies, viewOf } from './helpers.ts';

function solve(v: Parameters<typeof bipartiteFromView>[0], weighted = false, opts = {}) {
  const bp = bipartiteFromView(v);
  return weighted ? topTwoSingularValues(bp.byR, opts, bp.byL) : topTwoSingularValues(pattern(bp.byR), opts, pattern(bp.byL));
}

test('complete bipartite K(n, m): σ1 = √(nm), σ2 = 0, on both solver paths', () => {
  for (const [n, m] of [[3, 3], [5, 17], [20, 24], [25, 30], [28, 128], [30, 40], [100, 64], [257, 129]]) {
    const r = solve(viewOf(n, m, () => 1));
    const s1 = Math.sqrt(n * m);
    assert.ok(Math.abs(r.s1! - s1) <= 1e-12 * s1, `K(${n},${m}) σ1 ${r.s1} vs ${s1}`);
    assert.ok(r.s2! <= 1e-12 * s1, `K(${n},${m}) σ2 ${r.s2} not ~0`);
    assert.equal(r.method, Math.min(n, m) <= 24 ? 'dense' : 'lanczos');
  }
});

test('array-code graphs: σ1 = √(lq), σ2 = √q exactly (σ2 highly repeated)', () => {
  for (const [q, l] of [[5, 2], [7, 3], [11, 10], [13, 5], [29, 4], [31, 30]]) {
    const r = solve(arrayCode(q, l));
    assert.ok(Math.abs(r.s1! - Math.sqrt(l * q)) <= 1e-10 * Math.sqrt(l * q), `q=${q} l=${l} σ1 ${r.s1}`);
    assert.ok(Math.abs(r.s2! - Math.sqrt(q)) <= 1e-10 * Math.sqrt(q), `q=${q} l=${l} σ2 ${r.s2} vs ${Math.sqrt(q)}`);
  }
});

test('two disjoint copies of a graph: σ2 = σ1 (dense and Lanczos paths)', () => {
  const rand = lcg(3);
  for (const [rows, cols, d] of [[8, 10, 0.5], [60, 90, 0.1], [200, 150, 0.05]] as const) {
    for (const weighted of [false, true]) {
      const g = randomView(rows, cols, d, rand, weighted);
      const one = denseSingularValues(g, weighted)[0];
      const r = solve(twoCopies(g), weighted);
      assert.ok(Math.abs(r.s1! - one) <= 1e-10 * one, `σ1 ${r.s1} vs ${one}`);
      assert.ok(Math.abs(r.s2! - one) <= 1e-10 * one, `σ2 ${r.s2} should equal σ1 ${one} (${rows}x${cols} weighted=${weighted})`);
    }
  }
});

// Shapes × densities × 0/1 or |w|: the two largest singular values agree with
// ml-matrix's dense SVD to 1e-9 relative.
test('random masks of many shapes and densities match a dense SVD to 1e-9', () => {
  const rand = lcg(42);
  const shapes = [[10, 30], [30, 10], [25, 25], [64, 200], [200, 64], [150, 150], [40, 300], [300, 90], [128, 256]];
  const densities = [0.02, 0.1, 0.3, 0.7];
  let worst = 0;
  let cases = 0;
  for (const [rows, cols] of shapes) {
    for (const d of densities) {
      const weighted = cases % 2 === 1;
      const v = randomView(rows, cols, d, rand, weighted);
      const bp = bipartiteFromView(v);
      if (Math.min(bp.byR.rows, bp.byR.cols) < 2) continue;
      const sv = denseSingularValues(v, weighted);
      const r = solve(v, weighted);
      for (const [got, want] of [[r.s1!, sv[0]], [r.s2!, sv[1]]]) {
        const rel = Math.abs(got - want) / want;
        worst = Math.max(worst, rel);
        assert.ok(rel <= 1e-9, `${rows}x${cols} d=${d} weighted=${weighted}: ${got} vs ${want} (rel ${rel})`);
      }
      cases++;
    }
  }
  assert.ok(cases >= 30);
  process.stdout.write(`# largest relative error vs dense SVD over ${cases} masks: ${worst.toExponential(2)}\n`);
});

test('μ̂ is the third largest |eigenvalue| of the adjacency, not the second (which is −μ0)', () => {
  const rand = lcg(9);
  for (const [nL, nR, d] of [[12, 9, 0.4], [40, 30, 0.2]] as const) {
    const v = randomView(nR, nL, d, rand);
    const N = nL + nR;
    const A = new Matrix(N, N);
    for (let r = 0; r < nR; r++) for (let l = 0; l < nL; l++) if (v.data[r * nL + l] !== 0) { A.set(l, nL + r, 1); A.set(nL + r, l, 1); }
    const ev = new EigenvalueDecomposition(A, { assumeSymmetric: true }).realEigenvalues.slice().sort((a, b) => Math.abs(b) - Math.abs(a));
    const r = solve(v);
    // ±μ0 come first (in either order): the second largest |eigenvalue| is μ0 in magnitude.
    assert.ok(Math.abs(ev[0] + ev[1]) < 1e-9 * r.s1! && Math.abs(Math.abs(ev[1]) - r.s1!) < 1e-9 * r.s1!, 'the top pair is ±μ0');
    assert.ok(Math.abs(r.s2! - Math.abs(ev[2])) < 1e-9 * r.s1!, `μ̂ ${r.s2} vs third |eigenvalue| ${ev[2]}`);
    assert.ok(r.s1! - r.s2! > 0.1, 'the mistake (μ̂ = |second eigenvalue|) would give μ0 here');
  }
});

test('singular values need no more than a few Lanczos steps per run on a large sparse layer', () => {
  const rand = lcg(5);
  const v = randomView(512, 2304, 0.1, rand);
  const r = solve(v);
  assert.equal(r.method, 'lanczos');
  assert.ok(r.steps[0] + r.steps[1] < 160, `steps ${r.steps}`);
  // agrees with a much tighter run
  const tight = solve(v, false, { tol: 1e-15, resTol: 1e-14 });
  assert.ok(Math.abs(r.s2! - tight.s2!) <= 1e-11 * tight.s2!);
});

test('degenerate inputs: no entries, a single row or column', () => {
  assert.deepEqual(solve(viewOf(4, 3, () => 0)), { s1: null, s2: null, method: 'trivial', steps: [] });
  const col = solve(viewOf(5, 1, (l) => (l % 2 ? 1 : 0)));
  assert.ok(Math.abs(col.s1! - Math.sqrt(2)) < 1e-15);
  assert.equal(col.s2, null);
});
