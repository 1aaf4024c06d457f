// --min-coverage: Δr drops isolated vertices, so a mask that keeps one small dense
// block passes the guard. The coverage rule (opt-in) refuses it. Oracle: closed
// forms — the block K(6,6) of a 16×16 layer has Δr = 2√5 (σ2 = 0) and covers
// 6/16 of the inputs and of the outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/prune.ts';
import { spectralCriterion } from '../../src/prune/criterion.ts';
import { searchLimit } from '../../src/prune/guard.ts';
import { maskFromOrder, pruneOrder } from '../../src/prune/rank.ts';
import { pruneTargets } from '../../src/prune/targets.ts';
import { mlp } from './helpers.ts';

const N = 16, B = 6;
/** Distinct small offsets so magnitudes never tie; the B×B top-left block is the largest. */
const value = (k: number) => (Math.floor(k / N) < B && k % N < B ? 2 : 1) + (((k * 7919) % 256) + 1) / 2560;

test('a small dense block passes Δr alone; --min-coverage refuses it and says why', () => {
  const [t] = pruneTargets(mlp([{ name: 'W', out: N, in: N, values: value }]));
  const order = pruneOrder(Float32Array.from(t.weights, Math.abs));
  const block = maskFromOrder(order, N * N - B * B); // keeps exactly the block
  const plain = spectralCriterion({ criterion: 'delta-r' })(t, block);
  assert.equal(plain.pass, true);
  assert.ok(Math.abs(plain.value! - 2 * Math.sqrt(B - 1)) < 1e-6);
  assert.equal(plain.graphs[0].coverage, B / N);

  const covered = spectralCriterion({ criterion: 'delta-r', minCoverage: 0.5 })(t, block);
  assert.equal(covered.pass, false);
  assert.equal(covered.value, plain.value, 'the criterion value is reported unchanged');
  assert.match(covered.reason!, /fc0 weight: coverage below 0\.5: 6 of 16 inputs and 6 of 16 outputs keep an edge/);
  // At or under the coverage it asks for, the rule is silent.
  assert.equal(spectralCriterion({ criterion: 'delta-r', minCoverage: B / N })(t, block).pass, true);
  // Dense: full coverage, passes either way.
  assert.equal(spectralCriterion({ criterion: 'delta-r', minCoverage: 1 })(t, maskFromOrder(order, 0)).pass, true);
});

test('the guard limit with --min-coverage stops before the block, and its mask covers enough', () => {
  const [t] = pruneTargets(mlp([{ name: 'W', out: N, in: N, values: value }]));
  const order = pruneOrder(Float32Array.from(t.weights, Math.abs));
  const n = N * N;
  const plain = spectralCriterion({ criterion: 'delta-r' });
  const guarded = spectralCriterion({ criterion: 'delta-r', minCoverage: 0.5 });
  const free = searchLimit((c) => plain(t, maskFromOrder(order, c)), n);
  const held = searchLimit((c) => guarded(t, maskFromOrder(order, c)), n);
  assert.ok(free.limit >= (n - B * B) / n, `without coverage the block passes (limit ${free.limit})`);
  assert.ok(held.limit < (n - B * B) / n, `with coverage 0.5 the limit ${held.limit} is below the block's sparsity`);
  const v = guarded(t, maskFromOrder(order, Math.round(held.limit * n)));
  assert.equal(v.pass, true);
  assert.ok(v.graphs[0].coverage! >= 0.5);
  assert.match(held.failAbove!.reason ?? '', /coverage below 0\.5|Δr/);
});

test('rampart prune --min-coverage: a fraction, and only with a guard', async () => {
  const cli = (args: string[]) => {
    const program = new Command();
    program.exitOverride();
    register(program);
    return program.parseAsync(['node', 'rampart', 'prune', 'test/fixtures/lstm.onnx', '-o', '/tmp/never.onnx', ...args]);
  };
  await assert.rejects(cli(['--min-coverage', '1.5']), /--min-coverage 1\.5/);
  await assert.rejects(cli(['--no-guard', '--sparsity', '0.5', '--min-coverage', '0.5']), /part of the guard/);
});
