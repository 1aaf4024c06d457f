// The guard's coverage rule (on by default): Δr drops isolated vertices, so a mask
// that keeps one small dense block passes Δr alone. Oracles: closed forms — the block
// K(6,6) of a 16×16 layer has Δr = 2√5 (σ2 = 0) and covers 6/16 of the inputs and of
// the outputs — and, on the zoo LSTM, the isolated inputs and outputs counted in the
// written model's weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/onnx/import.ts';
import { DEFAULT_MIN_COVERAGE, spectralCriterion } from '../../src/prune/criterion.ts';
import { searchLimit } from '../../src/prune/guard.ts';
import { maskFromOrder, pruneOrder } from '../../src/prune/rank.ts';
import { pruneTargets } from '../../src/prune/targets.ts';
import type { PruneTarget } from '../../src/prune/types.ts';
import { mlp, cli } from './helpers.ts';

const N = 16, B = 6;
/** Distinct small offsets so magnitudes never tie; the B×B top-left block is the largest. */
const value = (k: number) => (Math.floor(k / N) < B && k % N < B ? 2 : 1) + (((k * 7919) % 256) + 1) / 2560;

test('a small dense block passes Δr alone; the default guard refuses it and says why', () => {
  const [t] = pruneTargets(mlp([{ name: 'W', out: N, in: N, values: value }]));
  const order = pruneOrder(Float32Array.from(t.weights, Math.abs));
  const block = maskFromOrder(order, N * N - B * B); // keeps exactly the block
  const plain = spectralCriterion({ criterion: 'delta-r', minCoverage: 0 })(t, block);
  assert.equal(plain.pass, true);
  assert.ok(Math.abs(plain.value! - 2 * Math.sqrt(B - 1)) < 1e-6);
  assert.equal(plain.graphs[0].coverage, B / N);
  assert.equal(plain.graphs[0].inputs, B);
  assert.equal(plain.graphs[0].outputs, B);

  assert.equal(DEFAULT_MIN_COVERAGE, 0.5);
  for (const guard of [spectralCriterion({ criterion: 'delta-r' }), spectralCriterion({ criterion: 'imdb' }), spectralCriterion({ criterion: 'delta-s' })]) {
    const v = guard(t, block);
    assert.equal(v.pass, false);
    assert.match(v.reason!, /fc0 weight: coverage below 0\.5: 6 of 16 inputs and 6 of 16 outputs keep an edge/);
  }
  assert.equal(spectralCriterion({ criterion: 'delta-r' })(t, block).value, plain.value, 'the criterion value is reported unchanged');
  // At or under the coverage it asks for, the rule is silent.
  assert.equal(spectralCriterion({ criterion: 'delta-r', minCoverage: B / N })(t, block).pass, true);
  // Dense: full coverage, passes either way.
  assert.equal(spectralCriterion({ criterion: 'delta-r', minCoverage: 1 })(t, maskFromOrder(order, 0)).pass, true);
});

test('the default guard limit stops before the block, and its mask covers half of each side', () => {
  const [t] = pruneTargets(mlp([{ name: 'W', out: N, in: N, values: value }]));
  const order = pruneOrder(Float32Array.from(t.weights, Math.abs));
  const n = N * N;
  const plain = spectralCriterion({ criterion: 'delta-r', minCoverage: 0 });
  const guarded = spectralCriterion({ criterion: 'delta-r' });
  const free = searchLimit((c) => plain(t, maskFromOrder(order, c)), n);
  const held = searchLimit((c) => guarded(t, maskFromOrder(order, c)), n);
  assert.ok(free.limit >= (n - B * B) / n, `without coverage the block passes (limit ${free.limit})`);
  assert.ok(held.limit < (n - B * B) / n, `with the default the limit ${held.limit} is below the block's sparsity`);
  const v = guarded(t, maskFromOrder(order, Math.round(held.limit * n)));
  assert.equal(v.pass, true);
  assert.ok(v.graphs[0].coverage! >= 0.5);
  assert.match(held.failAbove!.reason ?? '', /coverage below 0\.5|Δr/);
});

/** Inputs (columns) and outputs (rows) of a target that keep a nonzero weight, counted in the weights themselves. */
function covered(t: PruneTarget): { inputs: number; outputs: number } {
  const ins = new Set<number>(), outs = new Set<number>();
  for (let r = 0; r < t.rows; r++) for (let c = 0; c < t.cols; c++) if (t.weights[r * t.cols + c] !== 0) { ins.add(c); outs.add(r); }
  return { inputs: ins.size, outputs: outs.size };
}

/** Prunes the zoo LSTM with `args`, returns the written target `name` and the report's row for it. */
async function pruned(dir: string, name: string, args: string[]) {
  const out = join(dir, 'p.onnx');
  await cli(['prune', 'models/lstm/model.onnx', '--sparsity', 'auto', '-o', out, '--report', dir, ...args]);
  const t = pruneTargets(loadModel(out)).find((x) => x.name === name)!;
  const row = JSON.parse(readFileSync(join(dir, 'prune-report.json'), 'utf8')).layers.find((l: { name: string }) => l.name === name);
  return { t, row, zeros: t.weights.reduce((a, w) => a + (w === 0 ? 1 : 0), 0) / t.weights.length };
}

test('16×1 blocks on the zoo LSTM\'s 10-row head: off, 3 of 128 inputs are left (a K(10,3) passes Δr); by default at least half', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-coverage-'));
  try {
    const off = await pruned(dir, 'fc.weight', ['--block', '16x1', '--only', 'weight', '--min-coverage', '0']);
    assert.ok(off.zeros > 0.97, `off: ${off.zeros}`);
    assert.deepEqual(covered(off.t), { inputs: 3, outputs: 10 });
    assert.ok(off.row.verdict.pass);

    const on = await pruned(dir, 'fc.weight', ['--block', '16x1', '--only', 'weight']);
    const c = covered(on.t);
    assert.ok(c.inputs >= 64 && c.outputs === 10, `default: ${c.inputs} of 128 inputs keep an edge`);
    // A 16-row block spans the 10 rows, so a pruned block is a whole input: sparsity = 1 − inputs/128.
    assert.equal(on.zeros, 1 - c.inputs / 128);
    assert.ok(on.zeros >= 0.45 && on.zeros <= 0.5, `default: ${on.zeros}`);
    assert.ok(on.row.verdict.pass && on.row.verdict.graphs[0].coverage >= 0.5);
    assert.ok(on.row.notes.some((n: string) => /16x1 blocks span all 10 rows \(a pruned block cuts an input off\)/.test(n)), on.row.notes.join(' | '));
    assert.match(on.row.notes.join(' '), /coverage below 0\.5/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SNIP on the zoo LSTM\'s W: off, the guard passes 99% with most gate rows left without input; by default half keep one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-coverage-'));
  try {
    const args = ['-m', 'snip', '--data', 'mnist', '--only', 'W'];
    const off = await pruned(dir, 'lstm.W', [...args, '--min-coverage', '0']);
    const o = covered(off.t);
    assert.ok(off.zeros > 0.98 && o.outputs < 0.15 * 512, `off: ${off.zeros}, ${o.outputs} of 512 gate rows keep an input`);
    const on = await pruned(dir, 'lstm.W', args);
    const c = covered(on.t);
    assert.ok(c.outputs >= 256 && c.inputs >= 14, `default: ${c.inputs} of 28 inputs, ${c.outputs} of 512 rows`);
    assert.ok(on.zeros < off.zeros);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the default moves none of the zoo LSTM\'s magnitude limits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-coverage-'));
  try {
    for (const name of ['lstm.W', 'lstm.R', 'fc.weight']) {
      const off = await pruned(dir, name, ['--min-coverage', '0']);
      const on = await pruned(dir, name, []);
      assert.equal(on.zeros, off.zeros, name);
      assert.equal(on.row.limit, off.row.limit, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rampart prune --min-coverage: a fraction; given explicitly, only with a guard', async () => {
  const args = (extra: string[]) => ['prune', 'test/fixtures/lstm.onnx', '-o', '/tmp/never.onnx', ...extra];
  await assert.rejects(cli(args(['--min-coverage', '1.5'])), /--min-coverage 1\.5/);
  await assert.rejects(cli(args(['--no-guard', '--sparsity', '0.5', '--min-coverage', '0.5'])), /part of the guard/);
});
