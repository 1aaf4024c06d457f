// The spectral guard on masks of known structure. Oracles: closed forms for
// complete bipartite and array-code graphs (SPECTRAL.md §3), and a dense SVD from
// ml-matrix for every mask level of a small layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { spectralCriterion } from '../../src/prune/criterion.ts';
import { searchLimit } from '../../src/prune/guard.ts';
import { prune } from '../../src/prune/prune.ts';
import { maskFromOrder, pruneOrder } from '../../src/prune/rank.ts';
import { pruneTargets } from '../../src/prune/targets.ts';
import { lstmModel, mlp } from './helpers.ts';

/** Array code (q prime, l < q): q² × lq biadjacency, block (r, c) = P^(r·c), P the cyclic shift. */
function arrayCode(q: number, l: number): number[][] {
  const B = Array.from({ length: q * q }, () => new Array<number>(l * q).fill(0));
  for (let r = 0; r < q; r++) for (let c = 0; c < l; c++) {
    const p = (r * c) % q;
    // P^p[i][j] = 1 where j = (i − p) mod q
    for (let i = 0; i < q; i++) B[r * q + i][c * q + ((i - p + q * q) % q)] = 1;
  }
  return B;
}

/** A distinct small offset per entry, in a scrambled order, so magnitudes never tie. */
const jitter = (k: number, n: number) => (((k * 7919) % n) + 1) / (10 * n);

/** Δr of a 0/1 [rows, cols] mask by dense SVD (ml-matrix), isolated vertices dropped; null when undefined. */
function oracleDeltaR(mask: ArrayLike<number>, rows: number, cols: number): number | null {
  const rs = [...Array(rows).keys()].filter((r) => [...Array(cols).keys()].some((c) => mask[r * cols + c]));
  const cs = [...Array(cols).keys()].filter((c) => rs.some((r) => mask[r * cols + c]));
  const E = rs.reduce((s, r) => s + cs.reduce((t, c) => t + mask[r * cols + c], 0), 0);
  if (E === 0) return null;
  const dL = E / cs.length, dR = E / rs.length;
  if (dL < 3 || dR < 3) return null;
  const M = new Matrix(rs.map((r) => cs.map((c) => mask[r * cols + c])));
  const s = new SingularValueDecomposition(M, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  return Math.sqrt(dL - 1) + Math.sqrt(dR - 1) - (s[1] ?? 0);
}

test('closed forms: K(8,8) passes with Δr = 2√7; two disjoint K(4,4) fail with 2√3 − 4', () => {
  // Block-diagonal magnitudes: the two 4×4 blocks are the largest, so sparsity 0.5 keeps exactly them.
  const W = mlp([{ name: 'W', out: 8, in: 8, values: (k) => ((Math.floor(k / 8) < 4) === (k % 8 < 4) ? 2 : 1) + jitter(k, 64) }]);
  const [t] = pruneTargets(W);
  const guard = spectralCriterion({ criterion: 'delta-r' });
  const order = pruneOrder(Float32Array.from(t.weights, Math.abs));
  const dense = guard(t, maskFromOrder(order, 0));
  assert.ok(dense.pass);
  assert.ok(Math.abs(dense.value! - 2 * Math.sqrt(7)) < 1e-6);
  const half = guard(t, maskFromOrder(order, 32));
  assert.equal(half.pass, false);
  assert.ok(Math.abs(half.value! - (2 * Math.sqrt(3) - 4)) < 1e-6);
  assert.match(half.reason!, /fc0 weight: Δr = -0\.5359 < 0/);
});

test('array code: the mask that keeps exactly the array-code edges passes with Δr = √(q−1) + √(l−1) − √q', () => {
  const q = 5, l = 3;
  const B = arrayCode(q, l); // [25 outputs, 15 inputs]
  const W = mlp([{ name: 'W', out: q * q, in: l * q, values: (k) => (B[Math.floor(k / (l * q))][k % (l * q)] ? 2 : 1) + jitter(k, q * q * l * q) }]);
  const [t] = pruneTargets(W);
  const n = t.weights.length;
  const order = pruneOrder(Float32Array.from(t.weights, Math.abs));
  const guard = spectralCriterion({ criterion: 'delta-r' });
  const v = guard(t, maskFromOrder(order, n - q * q * l));
  assert.ok(v.pass);
  assert.ok(Math.abs(v.value! - (Math.sqrt(q - 1) + Math.sqrt(l - 1) - Math.sqrt(q))) < 1e-6);
});

test('the search on a real layer: every evaluated level agrees with a dense SVD, and the limit is the highest passing level', async () => {
  const q = 5, l = 3;
  const B = arrayCode(q, l);
  const W = mlp([{ name: 'W', out: q * q, in: l * q, values: (k) => (B[Math.floor(k / (l * q))][k % (l * q)] ? 2 : 1) + jitter(k, q * q * l * q) }]);
  const [t] = pruneTargets(W);
  const n = t.weights.length;
  const order = pruneOrder(Float32Array.from(t.weights, Math.abs));
  const guard = spectralCriterion({ criterion: 'delta-r' });
  // Brute force with the oracle: which counts pass?
  const truth = Array.from({ length: n + 1 }, (_, c) => {
    const d = oracleDeltaR(maskFromOrder(order, c), t.rows, t.cols);
    return d !== null && d >= -1e-9;
  });
  const g = searchLimit((c) => guard(t, maskFromOrder(order, c)), n);
  for (const p of g.curve) {
    const c = Math.round(p.sparsity * n);
    assert.equal(p.pass, truth[c], `count ${c}: guard says ${p.pass}`);
    const d = oracleDeltaR(maskFromOrder(order, c), t.rows, t.cols);
    if (d !== null) assert.ok(Math.abs(p.value! - d) < 1e-6, `count ${c}: Δr ${p.value} vs ${d}`);
  }
  const highest = truth.lastIndexOf(true, Math.floor(0.99 * n));
  assert.equal(Math.round(g.limit * n), highest);
  // Known here: exactly the array code (sparsity 0.8); one more edge leaves a right vertex of degree 2 and dR < 3.
  assert.equal(g.limit, 0.8);
  assert.match(g.reason, /Δr undefined/);
  // And the pass uses it: auto prunes exactly to that level.
  const r = await prune(W, { method: 'magnitude', sparsity: 'auto', criterion: guard });
  assert.equal(r.report[0].limit, highest / n);
  assert.equal(r.report[0].verdict?.pass, true);
});

test('per-gate gating (an option) is stricter than the stacked graph', () => {
  // LSTM, H = 6, I = 8: W is [24, 8], gates i, o, f, c of 6 rows each.
  const [w] = pruneTargets(lstmModel(8, 6, () => 1, () => 1));
  // Gates o, f, c dense; gate i keeps 2 inputs per row: its own graph has dR = 2 < 3.
  const mask = Uint8Array.from({ length: 24 * 8 }, (_, k) => (Math.floor(k / 8) >= 6 || k % 8 === Math.floor(k / 8) % 8 || k % 8 === (Math.floor(k / 8) + 1) % 8 ? 1 : 0));
  const stacked = spectralCriterion({ criterion: 'delta-r' })(w, mask);
  assert.equal(stacked.pass, true);
  assert.equal(stacked.graphs.length, 1);
  const perGate = spectralCriterion({ criterion: 'delta-r', perGate: true })(w, mask);
  assert.equal(perGate.pass, false);
  assert.deepEqual(perGate.graphs.map((g) => g.view), ['stacked', 'i', 'o', 'f', 'c']);
  assert.match(perGate.reason!, /lstm W gate i: Δr undefined/);
});
