import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateGlobal, allocateLayerwise, waterFill } from '../../src/prune/allocate.ts';
import { countFor, maskAt, pruneOrder } from '../../src/prune/rank.ts';
import { scheduleSparsity } from '../../src/prune/schedule.ts';

test('masks prune round(s·n) lowest scores; ties by position; pruned stay pruned', () => {
  assert.equal(countFor(0.5, 5), 3); // Math.round(2.5) = 3, like torch's round(amount·n) up to .5 ties
  assert.equal(countFor(0.29, 100), 29); // no floor() off-by-one from 0.29·100 = 28.999…
  const m = maskAt(Float32Array.from([3, 1, 2, 1, 5]), 2);
  assert.deepEqual([...m], [1, 0, 1, 0, 1]);
  // The weight already pruned (index 4) goes first even with the highest score.
  const prev = Uint8Array.from([1, 1, 1, 1, 0]);
  assert.deepEqual([...maskAt(Float32Array.from([3, 1, 2, 1, 5]), 2, prev)], [1, 0, 1, 1, 0]);
  assert.deepEqual([...pruneOrder(Float32Array.from([2, 2, 1]))], [2, 0, 1]);
});

test('waterFill solves Σ clamp(x·a, lo, hi) = total exactly', () => {
  // a = sizes 100, 100; hi of the first = 20: x·100 capped at 20, the other takes 80.
  assert.deepEqual(waterFill([100, 100], [0, 0], [20, 100], 100), [20, 80]);
  // Uniform when nothing binds.
  assert.deepEqual(waterFill([100, 300], [0, 0], [100, 300], 200), [50, 150]);
  // Out of reach: everything at its upper bound.
  assert.deepEqual(waterFill([10, 10], [0, 0], [2, 3], 100), [2, 3]);
});

test('layerwise scope: common sparsity, a capped layer gives its budget to the others', () => {
  const a = allocateLayerwise([100, 100, 200], [{ lo: 0, hi: 100 }, { lo: 0, hi: 100 }, { lo: 0, hi: 200 }], 200);
  assert.deepEqual(a.counts, [50, 50, 100]);
  assert.equal(a.met, true);
  // Cap the first at 20%: the rest (300 weights) must lose 180 → 60% each.
  const b = allocateLayerwise([100, 100, 200], [{ lo: 0, hi: 20 }, { lo: 0, hi: 100 }, { lo: 0, hi: 200 }], 200);
  assert.deepEqual(b.counts, [20, 60, 120]);
  // A target that cannot be met: all at their caps, met = false.
  const c = allocateLayerwise([100, 100], [{ lo: 0, hi: 30 }, { lo: 0, hi: 40 }], 150);
  assert.deepEqual(c.counts, [30, 40]);
  assert.equal(c.met, false);
  // Rounding still sums to the total exactly.
  const d = allocateLayerwise([3, 3, 3], [{ lo: 0, hi: 3 }, { lo: 0, hi: 3 }, { lo: 0, hi: 3 }], 4);
  assert.equal(d.counts.reduce((s, x) => s + x, 0), 4);
});

test('global scope: one threshold; caps clamp and the threshold moves up for the others', () => {
  // target 0 has scores 1..10, target 1 has 5.5..14.5 (step 1).
  const k0 = Float64Array.from({ length: 10 }, (_, i) => i + 1);
  const k1 = Float64Array.from({ length: 10 }, (_, i) => i + 5.5);
  const a = allocateGlobal([k0, k1], [{ lo: 0, hi: 10 }, { lo: 0, hi: 10 }], 10);
  // the 10 lowest: 1..7 from t0 and 5.5, 6.5, 7.5 from t1
  assert.deepEqual(a.counts, [7, 3]);
  // Cap t0 at 4: t1 takes the remaining 6.
  const b = allocateGlobal([k0, k1], [{ lo: 0, hi: 4 }, { lo: 0, hi: 10 }], 10);
  assert.deepEqual(b.counts, [4, 6]);
  // Lower bounds (already pruned) count towards the total.
  const c = allocateGlobal([k0, k1], [{ lo: 0, hi: 10 }, { lo: 9, hi: 10 }], 10);
  assert.deepEqual(c.counts, [1, 9]);
  const d = allocateGlobal([k0, k1], [{ lo: 0, hi: 2 }, { lo: 0, hi: 3 }], 10);
  assert.deepEqual(d.counts, [2, 3]);
  assert.equal(d.met, false);
});

test('schedules: exponential (Synaptic-Flow), polynomial (tfmot, power 3), both end at the target', () => {
  // From dense to 0.99 in 2 rounds: density 0.01^(1/2) = 0.1 after round 1.
  assert.ok(Math.abs(scheduleSparsity('exponential', 0, 2, 0.99) - 0.9) < 1e-12);
  assert.equal(scheduleSparsity('exponential', 1, 2, 0.99), 0.99);
  // tfmot PolynomialDecay: s_f + (s_i − s_f)(1 − t/T)^3 at t/T = 1/4: 0.8·(1 − 0.421875)
  assert.ok(Math.abs(scheduleSparsity('polynomial', 0, 4, 0.8) - 0.8 * (1 - 0.75 ** 3)) < 1e-12);
  assert.equal(scheduleSparsity('polynomial', 3, 4, 0.8), 0.8);
  assert.ok(Math.abs(scheduleSparsity('linear', 1, 4, 0.8) - 0.4) < 1e-12);
});
