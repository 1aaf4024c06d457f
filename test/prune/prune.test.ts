// The pass end to end on tiny models with synthetic guards whose limits are known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prune } from '../../src/prune/prune.ts';
import { prunedCount, pruneTargets } from '../../src/prune/targets.ts';
import type { Criterion, PruneTarget } from '../../src/prune/types.ts';
import { lstmModel, mlp } from './helpers.ts';

// A (100 weights, magnitudes 0.001..0.1) is far smaller than B (100 weights, 1..100).
const two = () => mlp([
  { name: 'A', out: 10, in: 10, values: (i) => (i + 1) / 1000 * (i % 2 ? -1 : 1) },
  { name: 'B', out: 10, in: 10, values: (i) => i + 1 },
]);

/** A guard that passes target `name` only on the sparsities `ok` accepts; every other target passes. */
function guardOn(limits: Record<string, (s: number) => boolean>): Criterion {
  return (t: PruneTarget, mask) => {
    const s = prunedCount(mask) / mask.length;
    const pass = limits[t.name] ? limits[t.name](s) : true;
    return { pass, value: pass ? 1 : -1, graphs: [], reason: pass ? undefined : `synthetic fail at ${s}` };
  };
}

const counts = (r: Awaited<ReturnType<typeof prune>>) => r.masks.map(prunedCount);

test('global scope takes the smallest weights anywhere; layerwise takes the same share of each', async () => {
  const g = await prune(two(), { method: 'magnitude', sparsity: 0.5, scope: 'global', criterion: null });
  assert.deepEqual(counts(g), [99, 1]); // A is capped at 0.99 by default, B gives the last one
  const l = await prune(two(), { method: 'magnitude', sparsity: 0.5, scope: 'layer', criterion: null });
  assert.deepEqual(counts(l), [50, 50]);
  // The lowest |w| went: in B that is the weight 1 (index 0).
  assert.equal(l.masks[1][0], 0);
  assert.equal(l.masks[1][99], 1);
  // Pruned weights are exactly zero in the model, kept ones untouched.
  const B = l.model.graph.initializers.B.data as Float32Array;
  assert.equal(B[0], 0);
  assert.equal(B[99], 100);
  assert.equal(l.achieved, 0.5);
});

test('W/R caps and fixed rates on an LSTM', async () => {
  // W [1, 12, 4] = 48 weights, R [1, 12, 3] = 36; R's magnitudes are the smallest.
  const m = () => lstmModel(4, 3, (i) => 1 + ((i * 7) % 48), (i) => 0.01 * (1 + ((i * 5) % 36)));
  const free = await prune(m(), { method: 'magnitude', sparsity: 0.5, criterion: null });
  // R would go whole; the 0.99 ceiling rounds down (35 of 36) and W gives the rest.
  assert.deepEqual(counts(free), [7, 35]);
  // Cap R at 0.2: R loses round(0.2·36) = 7, W takes the rest of round(0.5·84) = 42.
  const capped = await prune(m(), { method: 'magnitude', sparsity: 0.5, criterion: null, caps: { R: 0.2 } });
  assert.deepEqual(counts(capped), [35, 7]);
  // R fixed dense: the 0.5 budget is over W alone.
  const wOnly = await prune(m(), { method: 'magnitude', sparsity: 0.5, criterion: null, rates: { R: 0 } });
  assert.deepEqual(counts(wOnly), [24, 0]);
  assert.equal(wOnly.achievedBudget, 0.5);
  // Layerwise with both rates fixed.
  const rates = await prune(m(), { method: 'magnitude', sparsity: 0, scope: 'layer', criterion: null, rates: { W: 0.25, R: 0.75 } });
  assert.deepEqual(counts(rates), [12, 27]);
});

test('budget redistribution: a layer capped by the guard gives its budget to the others', async () => {
  const guard = guardOn({ A: (s) => s <= 0.3 });
  const r = await prune(two(), { method: 'magnitude', sparsity: 0.5, scope: 'layer', criterion: guard });
  assert.deepEqual(counts(r), [30, 70]);
  assert.equal(r.report[0].limit, 0.3);
  assert.equal(r.report[1].limit, 0.99);
  assert.equal(r.met, true);
  assert.ok(r.report[0].notes.some((n) => /passes at 0\.3000 \(\d+ of \d+ weights pruned\); fails at/.test(n)));
  // auto: every layer to its limit.
  const a = await prune(two(), { method: 'magnitude', sparsity: 'auto', criterion: guard });
  assert.deepEqual(counts(a), [30, 99]);
});

test('a target the guard cannot meet is reported, every layer at its limit', async () => {
  const guard = guardOn({ A: (s) => s <= 0.3, B: (s) => s <= 0.4 });
  const r = await prune(two(), { method: 'magnitude', sparsity: 0.5, criterion: guard });
  assert.deepEqual(counts(r), [30, 40]);
  assert.equal(r.met, false);
  assert.ok(r.notes.some((n) => /cannot be met under the guard/.test(n)));
});

test('an allocation below the limit that fails (non-monotone curve) is lowered to a passing level', async () => {
  // A passes up to 0.3 and again on [0.6, 0.7]: its limit is 0.7, but 0.45 fails.
  const guard = guardOn({ A: (s) => s <= 0.3 || (s >= 0.6 && s <= 0.7), B: (s) => s <= 0.45 });
  const r = await prune(two(), { method: 'magnitude', sparsity: 0.45, scope: 'layer', criterion: guard });
  assert.equal(r.report[0].limit, 0.7);
  assert.deepEqual(counts(r), [30, 45]);
  assert.ok(r.report[0].notes.some((n) => /allocated 0\.4500 fails .*lowered to 0\.3000/.test(n)));
  assert.equal(r.report[0].verdict?.pass, true);
});

test('iterative pruning: the guard stops a layer, the others carry on; fine-tuning runs between rounds', async () => {
  const big = () => mlp([
    { name: 'A', out: 10, in: 10, values: (i) => (i + 1) / 1000 },
    { name: 'B', out: 30, in: 10, values: (i) => i + 1 },
  ]);
  const guard = guardOn({ A: (s) => s <= 0.4 });
  let calls = 0;
  const r = await prune(big(), {
    method: 'imp', sparsity: 0.8, rounds: 4, criterion: guard,
    finetune: async (m, targets, masks) => {
      calls++;
      // A stand-in for training: scale every weight, masked ones included (they must stay pruned).
      const out = structuredClone(m);
      for (const t of targets) (out.graph.initializers[t.name].data as Float32Array).forEach((w, k, a) => (a[k] = w === 0 ? 5 : w * 2));
      void masks;
      return out;
    },
  });
  assert.equal(calls, 3);
  // A stops at exactly 0.4 (refined inside the failing step), B takes the rest: 320 − 40 = 280.
  assert.deepEqual(counts(r), [40, 280]);
  assert.ok(r.report[0].notes.some((n) => /stopped in round/.test(n)));
  // Every pruned weight is zero in the written model even though "training" touched it.
  const A = r.model.graph.initializers.A.data as Float32Array;
  assert.equal(A.filter((w) => w === 0).length, 40);
});

test('ERK through the pass; caps shrink what it can give and the rest is re-solved', async () => {
  const r = await prune(two(), { method: 'erk', sparsity: 0.5, criterion: null, seed: 3 });
  // Two equal 10×10 layers: ERK gives both the same density.
  assert.deepEqual(counts(r), [50, 50]);
  const c = await prune(two(), { method: 'erk', sparsity: 0.5, criterion: guardOn({ A: (s) => s <= 0.2 }), seed: 3 });
  assert.deepEqual(counts(c), [20, 80]);
});

test('errors: auto without a guard, ERK with auto, fractions out of range', async () => {
  await assert.rejects(prune(two(), { method: 'magnitude', sparsity: 'auto', criterion: null }), /needs a guard/);
  await assert.rejects(prune(two(), { method: 'erk', sparsity: 'auto', criterion: guardOn({}) }), /numeric sparsity/);
  await assert.rejects(prune(two(), { method: 'magnitude', sparsity: 1.5, criterion: null }), /sparsity 1.5/);
  assert.equal(pruneTargets(two()).length, 2);
});
