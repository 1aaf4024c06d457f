import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erkAllocate, erkRaw } from '../../src/prune/erk.ts';
import { pruneTargets } from '../../src/prune/targets.ts';
import { mlp, model, node, tensorOf } from './helpers.ts';

// Three Gemm layers, [out, in]: A 10×10 (raw (10+10)/100 = 0.2), B 10×100
// (raw 110/1000 = 0.11), C 2×100 (raw 102/200 = 0.51).
const m = mlp([
  { name: 'A', out: 10, in: 10, values: () => 1 },
  { name: 'B', out: 100, in: 10, values: () => 1 },
  { name: 'C', out: 2, in: 100, values: () => 1 },
]);

test('ERK raw ratios: (rows + cols)/(rows·cols); conv: Σ dims / Π dims of the kernel', () => {
  const t = pruneTargets(m);
  assert.deepEqual(t.map((x) => +erkRaw(x).toFixed(6)), [0.2, 0.11, 0.51]);
  const conv = model([node('c', 'Conv', ['x', 'K'], ['y'])], { K: tensorOf([8, 4, 3, 3], () => 1) }, { name: 'x', shape: [1, 4, 8, 8] }, ['y']);
  assert.equal(erkRaw(pruneTargets(conv)[0]), (8 + 4 + 3 + 3) / (8 * 4 * 9));
});

test('ERK densities against a hand-solved case with the dense-layer re-solve', () => {
  // A small dense-ish layer that ERK would push above density 1.
  const mm = mlp([
    { name: 'A', out: 10, in: 10, values: () => 1 }, // n 100, raw 0.2
    { name: 'B', out: 100, in: 10, values: () => 1 }, // n 1000, raw 0.11
    { name: 'C', out: 5, in: 100, values: () => 1 }, // placeholder, replaced below
  ]);
  // Replace C by a 5×2 layer (n 10, raw 0.7): chain 10 → 100 → … is not needed for ERK.
  mm.graph.initializers.C = tensorOf([2, 5], () => 1);
  const t = pruneTargets(mm);
  assert.deepEqual(t.map((x) => x.rows * x.cols), [100, 1000, 10]);
  // Global density 0.5 → keep 555 of 1110. First solve: ε = 555 / (0.2·100 + 0.11·1000 + 0.7·10)
  // = 4.051; C would get 0.7·4.051 = 2.84 > 1 → dense (keeps 10). Re-solve over A, B:
  // ε = 545 / 130 = 4.1923 → A 0.83846 (keeps 83.85), B 0.46115 (keeps 461.15).
  const bounds = t.map((x) => ({ lo: 0, hi: x.rows * x.cols }));
  const a = erkAllocate(t, bounds, 555);
  const eps = 545 / 130;
  assert.ok(Math.abs(a.densities[0] - 0.2 * eps) < 1e-9);
  assert.ok(Math.abs(a.densities[1] - 0.11 * eps) < 1e-9);
  assert.equal(a.densities[2], 1);
  assert.deepEqual(a.counts, [16, 539, 0]);
  assert.equal(a.met, true);
});

test('ERK with a guard cap: the capped layer keeps its minimum density, ε re-solved over the rest', () => {
  const t = pruneTargets(m);
  const n = t.map((x) => x.rows * x.cols); // 100, 1000, 200
  // Global density 0.8 (keep 1040 of 1300): ε = 1040/232 = 4.48 → C 2.29 > 1 dense;
  // ε = 840/130 = 6.46 → A 1.29 > 1 dense; ε = 740/110 → B 0.74. Two re-solves.
  const free = erkAllocate(t, n.map((x) => ({ lo: 0, hi: x })), 260);
  assert.deepEqual(free.densities.map((d) => +d.toFixed(12)), [1, 0.74, 1]);
  assert.deepEqual(free.counts, [0, 260, 0]);
  // Global density 0.5 (keep 650): unbounded ERK gives C dense, A 0.692, B 0.381.
  const open = erkAllocate(t, n.map((x) => ({ lo: 0, hi: x })), 650);
  assert.ok(Math.abs(open.densities[1] - 0.11 * (450 / 130)) < 1e-9);
  // Cap B at sparsity 0.6 (keeps ≥ 400): B is pinned at 0.4, C stays dense, A gets the
  // remaining 50 (ε = 50/20 = 2.5, under which B would want 0.275 < 0.4 and C 1.275 > 1).
  const capped = erkAllocate(t, [{ lo: 0, hi: 100 }, { lo: 0, hi: 600 }, { lo: 0, hi: 200 }], 650);
  assert.deepEqual(capped.densities.map((d) => +d.toFixed(12)), [0.5, 0.4, 1]);
  assert.deepEqual(capped.counts, [50, 600, 0]);
  assert.equal(capped.met, true);
  // Out of reach (cap B at 0.5: B keeps ≥ 500, C wants 200 …): every layer at its bound, not met.
  const no = erkAllocate(t, [{ lo: 0, hi: 99 }, { lo: 0, hi: 500 }, { lo: 0, hi: 198 }], 900);
  assert.equal(no.met, false);
  assert.deepEqual(no.counts, [99, 500, 198]);
});
