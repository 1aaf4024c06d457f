// --max-drop: the candidate family in closed form, the search on a synthetic accuracy
// curve, and `rampart prune --max-drop` on a zoo model, its level checked here
// against a validation split rebuilt from the rule in words (the last N training
// samples) and scored by src/eval; the baseline (the dense model fine-tuned the same
// way) rebuilt with src/train.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset, PIXELS } from '../../src/data/index.ts';
import { evaluateAccuracy } from '../../src/eval/accuracy.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { familyRange, familyRates, searchMaxDrop, type FamilyTarget } from '../../src/prune/maxdrop.ts';
import { pruneTargets } from '../../src/prune/targets.ts';
import { finetune, masksFromZeros } from '../../src/train/index.ts';
import { cli } from './helpers.ts';

const family: FamilyTarget[] = [
  { name: 'A', size: 100, limit: 0.5, cap: 0.99 },
  { name: 'B', size: 300, limit: 0.8, cap: 0.99 },
];

test('the family: the guard allocation at S*, sparsities scaled below it, densities scaled above it', () => {
  const S = (50 + 240) / 400;
  assert.deepEqual(familyRange(family), { limit: S, top: 0.99 });
  const at = familyRates(family, S);
  assert.ok(Math.abs(at.A - 0.5) < 1e-12 && Math.abs(at.B - 0.8) < 1e-12);
  // Below: s_i = (S/S*)·L_i.
  const half = familyRates(family, S / 2);
  assert.ok(Math.abs(half.A - 0.25) < 1e-12 && Math.abs(half.B - 0.4) < 1e-12);
  assert.deepEqual(familyRates(family, 0), { A: 0, B: 0 });
  // Above: densities λ·(1 − L_i) with λ = (1 − S)·N / Σ (1 − L_i)·n_i = 40 / 110 at S = 0.9.
  const hi = familyRates(family, 0.9);
  const lam = 40 / 110;
  assert.ok(Math.abs(hi.A - (1 - lam * 0.5)) < 1e-9 && Math.abs(hi.B - (1 - lam * 0.2)) < 1e-9, JSON.stringify(hi));
});

test('the search: the spectral limit first, then bisection on the side it points to; the highest level within budget wins', async () => {
  // Accuracy 0.95 up to sparsity 0.6, then one point lost per 0.01.
  const acc = (s: number) => 0.95 - Math.max(0, s - 0.6);
  const evaluate = async (level: number) => ({ sparsity: level, accuracy: acc(level), spectral: level <= 0.75, failing: level <= 0.75 ? [] : ['A'] });
  // Budget 5 points → the answer is 0.65; the limit (0.75) is over, so only levels below it are tried.
  const below = await searchMaxDrop({ maxDrop: 5, baseline: 0.95, limit: 0.75, top: 0.99, steps: 6, evaluate });
  assert.equal(below.candidates[0].role, 'spectral limit');
  assert.equal(below.candidates[0].within, false);
  assert.ok(below.candidates.slice(1).every((c) => c.role === 'below limit' && c.level < 0.75));
  const best = below.candidates[below.chosen];
  assert.ok(best.within && best.level <= 0.65 + 1e-12 && best.level > 0.63, `chose ${best.level}`);
  // Budget 25 points → 0.85 holds, the limit is within, only levels above it are tried.
  const above = await searchMaxDrop({ maxDrop: 25, baseline: 0.95, limit: 0.75, top: 0.99, steps: 6, evaluate });
  assert.ok(above.candidates.slice(1).every((c) => c.role === 'above limit' && c.level > 0.75));
  const top = above.candidates[above.chosen];
  assert.ok(top.within && top.level <= 0.85 + 1e-12 && top.level > 0.83 && !top.spectral, `chose ${top.level}`);
  // A budget no candidate meets: nothing chosen.
  const none = await searchMaxDrop({ maxDrop: 0, baseline: 0.99, limit: 0.75, top: 0.99, steps: 2, evaluate });
  assert.equal(none.chosen, -1);
  await assert.rejects(searchMaxDrop({ maxDrop: -1, baseline: 0.9, limit: 0.5, top: 0.9, evaluate }), /accuracy points ≥ 0/);
});

test('rampart prune --max-drop 2 on the zoo RNN: the written model is within 2 points of dense on the held-out training samples', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-maxdrop-'));
  try {
    const out = join(dir, 'p.onnx');
    const text = await cli(['prune', 'models/rnn/model.onnx', '--max-drop', '2', '--data', 'mnist', '--val-size', '300',
      '--eval-limit', '100', '--max-drop-steps', '3', '--block', '4x1', '-o', out, '--report', dir]);
    assert.match(text, /max-drop 2 points on 300 validation samples/);
    const report = JSON.parse(readFileSync(join(dir, 'prune-report.json'), 'utf8'));
    const m = report.maxDrop;
    assert.equal(m.candidates.length, 4);
    assert.equal(m.candidates[0].role, 'spectral limit');
    assert.ok(m.chosen >= 0, 'some level is within 2 points');
    // The validation split by its rule: the last 300 of MNIST's training split; never test samples.
    const train = loadDataset('mnist', 'train');
    const val = { ...train, n: 300, images: train.images.subarray((train.n - 300) * PIXELS), labels: train.labels.subarray(train.n - 300) };
    const dense = (await evaluateAccuracy(loadModel('models/rnn/model.onnx'), val, { runtime: 'ort' })).accuracy;
    const pruned = (await evaluateAccuracy(loadModel(out), val, { runtime: 'ort' })).accuracy;
    assert.equal(m.denseAccuracy, dense);
    assert.ok(100 * (dense - pruned) <= 2 + 1e-9, `dense ${dense}, pruned ${pruned}`);
    assert.equal(pruned, m.candidates[m.chosen].accuracy);
    // The chosen level is what is on disk, the highest within budget, and prunes something.
    const targets = pruneTargets(loadModel(out));
    const zeros = targets.reduce((a, t) => a + t.weights.reduce((c, w) => c + (w === 0 ? 1 : 0), 0), 0);
    const total = targets.reduce((a, t) => a + t.weights.length, 0);
    assert.ok(Math.abs(zeros / total - m.candidates[m.chosen].sparsity) < 1e-12);
    assert.ok(zeros > 0);
    for (const c of m.candidates) if (c.within) assert.ok(c.sparsity <= m.candidates[m.chosen].sparsity);
    assert.match(readFileSync(join(dir, 'prune-report.md'), 'utf8'), /## Accuracy budget \(--max-drop\)/);
    await assert.rejects(cli(['prune', 'models/rnn/model.onnx', '--max-drop', '1', '-o', out]), /held out from the training split/);
    await assert.rejects(cli(['prune', 'models/rnn/model.onnx', '--max-drop', '1', '--data', 'mnist', '--sparsity', '0.5', '-o', out]), /searches the sparsity itself/);
    await assert.rejects(cli(['prune', 'models/rnn/model.onnx', '--max-drop', 'x', '--data', 'mnist', '-o', out]), /accuracy points ≥ 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--max-drop measures drops against the dense model fine-tuned the same way; --max-drop-baseline dense against it as is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-maxdrop-'));
  try {
    const out = join(dir, 'p.onnx');
    const common = ['prune', 'models/rnn/model.onnx', '--max-drop', '2', '--finetune', 'mnist', '--epochs', '1', '--train-limit', '300',
      '--val-size', '300', '--eval-limit', '50', '--max-drop-steps', '0', '-o', out, '--report', dir];
    const text = await cli(common);
    const m = JSON.parse(readFileSync(join(dir, 'prune-report.json'), 'utf8')).maxDrop;
    assert.equal(m.baseline, 'finetuned');
    assert.match(text, /dense fine-tuned 0\.\d{4} \(the baseline\)/);
    // The baseline rebuilt from its definition: the dense model, fine-tuned by src/train on the
    // same 300 samples (the first of the training split; the last 300 validate) with the same
    // options, its prunable weights' zeros held, scored by src/eval on the validation samples.
    const model = loadModel('models/rnn/model.onnx');
    const train = loadDataset('mnist', 'train');
    const fit = { ...train, n: 300, images: train.images.subarray(0, 300 * PIXELS), labels: train.labels.subarray(0, 300) };
    const val = { ...train, n: 300, images: train.images.subarray((train.n - 300) * PIXELS), labels: train.labels.subarray(train.n - 300) };
    const tuned = await finetune(model, fit, { epochs: 1, masks: masksFromZeros(model, pruneTargets(model).map((t) => t.name)) });
    const baseline = (await evaluateAccuracy(tuned.model, val, { runtime: 'ort' })).accuracy;
    const dense = (await evaluateAccuracy(model, val, { runtime: 'ort' })).accuracy;
    assert.equal(m.baselineAccuracy, baseline);
    assert.equal(m.denseAccuracy, dense);
    assert.notEqual(baseline, dense, 'fine-tuning alone moves accuracy on samples seen in training (what the baseline is for)');
    for (const c of m.candidates) assert.ok(Math.abs(c.drop - 100 * (baseline - c.accuracy)) < 1e-9);

    await cli([...common, '--max-drop-baseline', 'dense']);
    const d = JSON.parse(readFileSync(join(dir, 'prune-report.json'), 'utf8')).maxDrop;
    assert.equal(d.baseline, 'dense');
    assert.equal(d.baselineAccuracy, dense);
    for (const c of d.candidates) assert.ok(Math.abs(c.drop - 100 * (dense - c.accuracy)) < 1e-9);
    await assert.rejects(cli([...common, '--max-drop-baseline', 'x']), /Allowed choices are finetuned, dense/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
