import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchLimit } from '../../src/prune/guard.ts';
import type { Verdict } from '../../src/prune/types.ts';

const N = 10000;
/** A synthetic criterion: a known pass/fail curve over sparsity, value = distance to the nearest edge. */
function synthetic(pass: (s: number) => boolean, calls: number[] = []): (count: number) => Verdict {
  return (count) => {
    const s = count / N;
    calls.push(s);
    const p = pass(s);
    return { pass: p, value: p ? 1 : -1, graphs: [], reason: p ? undefined : `fails at ${s}` };
  };
}

test('non-monotone curve: the search finds the highest passing level, not the first failing one', () => {
  // Passes up to 0.62, fails on (0.62, 0.70), passes again on [0.70, 0.773], fails above.
  const g = searchLimit(synthetic((s) => s <= 0.62 || (s >= 0.7 && s <= 0.773)), N);
  assert.equal(g.limit, 0.773);
  assert.ok(g.curve.some((p) => p.sparsity === 0.65 && !p.pass), 'the scan saw the dip');
  assert.ok(g.curve.some((p) => p.sparsity === 0.8 && !p.pass));
  assert.deepEqual(g.curve.map((p) => p.sparsity), [...g.curve.map((p) => p.sparsity)].sort((a, b) => a - b));
  assert.equal(g.failAbove?.pass, false);
  assert.ok(g.failAbove!.sparsity > 0.773 && g.failAbove!.sparsity <= 0.7731);
  assert.match(g.reason, /passes at 0\.7730 \(\d+ of \d+ weights pruned\); fails at/);
});

test('nothing passes on the coarse grid: the scan extends downwards', () => {
  const g = searchLimit(synthetic((s) => s <= 0.3217), N);
  assert.equal(g.limit, 0.3217);
  assert.ok(g.curve.some((p) => p.sparsity === 0.3 && p.pass));
});

test('fails even dense → limit 0; passes everywhere → the top level', () => {
  const none = searchLimit(synthetic(() => false), N);
  assert.equal(none.limit, 0);
  assert.equal(none.reason, 'fails even dense');
  assert.ok(none.curve.some((p) => p.sparsity === 0));
  const all = searchLimit(synthetic(() => true), N);
  assert.equal(all.limit, 0.99);
  assert.match(all.reason, /highest level considered/);
  // A passing island at the top beats a long failing stretch below it.
  const top = searchLimit(synthetic((s) => s <= 0.5 || s >= 0.97), N);
  assert.equal(top.limit, 0.99);
});

test('min and max bound the search; levels are quantised to whole weights', () => {
  const calls: number[] = [];
  const g = searchLimit(synthetic((s) => s <= 0.9, calls), N, { min: 0.6, max: 0.8 });
  assert.equal(g.limit, 0.8);
  assert.ok(calls.every((s) => s > 0.6 && s <= 0.8));
  // n = 7: levels snap to multiples of 1/7; the answer is a whole number of weights.
  const h = searchLimit((c) => ({ pass: c <= 4, value: null, graphs: [] }), 7);
  assert.equal(h.limit, 4 / 7);
});
