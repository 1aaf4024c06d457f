// `rampart prune` end to end on a committed PyTorch-exported LSTM fixture: the
// written model runs in onnxruntime-node with the report's sparsities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { register } from '../../src/cli/commands/prune.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { METHOD_NAMES, METHODS, SCORERS } from '../../src/prune/scorers/index.ts';
import { pruneTargets } from '../../src/prune/targets.ts';
import { cli } from './helpers.ts';

test('rampart prune --sparsity auto on an LSTM: a report, and a model onnxruntime-node runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-prune-cli-'));
  try {
    const out = join(dir, 'p.onnx');
    const text = await cli(['prune', 'test/fixtures/lstm.onnx', '--sparsity', 'auto', '-o', out, '--report', dir]);
    assert.match(text, /guard limit/);
    const report = JSON.parse(readFileSync(join(dir, 'prune-report.json'), 'utf8'));
    assert.equal(report.guard, 'delta-r');
    assert.deepEqual(report.layers.map((l: { graph: string }) => l.graph), ['W', 'R', 'weight']);
    // Every layer sits at its limit, passes, and its Δr after pruning is ≥ 0.
    for (const l of report.layers) {
      assert.equal(l.sparsity, l.limit);
      assert.ok(l.verdict.pass);
      assert.ok(l.after.deltaR >= 0);
      assert.ok(l.curve.length >= 11);
    }
    assert.match(readFileSync(join(dir, 'prune-report.md'), 'utf8'), /## What the guard said/);
    assert.match(readFileSync(join(dir, 'prune-guard.svg'), 'utf8'), /^<svg/);
    // The file on disk has those zeros, and onnxruntime-node runs it.
    const targets = pruneTargets(loadModel(out));
    targets.forEach((t, i) => {
      const zeros = t.weights.reduce((c, w) => c + (w === 0 ? 1 : 0), 0);
      assert.equal(zeros / t.weights.length, report.layers[i].sparsity);
    });
    const s = await ort.InferenceSession.create(out);
    const x = new ort.Tensor('float32', new Float32Array(2 * 28 * 28).fill(0.5), [2, 28, 28]);
    const y = (await s.run({ [s.inputNames[0]]: x }))[s.outputNames[0]];
    assert.deepEqual(y.dims, [2, 10]);
    assert.ok(Array.from(y.data as Float32Array).every(Number.isFinite));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rampart prune --block 8x1 --guard delta-r --sparsity auto on the PyTorch LSTM: whole blocks on disk, every layer passes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-prune-cli-'));
  try {
    for (const layout of ['contiguous', 'gate-fused']) {
      const out = join(dir, `b-${layout}.onnx`);
      const text = await cli(['prune', 'test/fixtures/lstm.onnx', '--block', '8x1', '--block-layout', layout, '--guard', 'delta-r', '--sparsity', 'auto', '-o', out, '--report', dir]);
      assert.match(text, /in 8x1( gate-fused)? blocks/);
      const report = JSON.parse(readFileSync(join(dir, 'prune-report.json'), 'utf8'));
      assert.deepEqual(report.block, { rows: 8, cols: 1, layout });
      assert.match(readFileSync(join(dir, 'prune-report.md'), 'utf8'), /blocks \*\*8x1/);
      // LSTM(28→32): W [128, 28], R [128, 32], gates of H = 32 rows; head [10, 32].
      const targets = pruneTargets(loadModel(out));
      targets.forEach((t, i) => {
        const l = report.layers[i];
        assert.ok(l.verdict.pass, `${t.name} fails the guard`);
        assert.ok(l.sparsity > 0.3, `${t.name} at ${l.sparsity}`);
        // Whole blocks in the written file. Contiguous (and the head): 8 consecutive rows of one column (32-row gates
        // hold 4 blocks each). Gate-fused: units k = r mod 32 in pairs, all four gates together.
        const key = (r: number, c: number) => (t.graph === 'weight' || layout === 'contiguous' ? `${Math.floor(r / 8)}.${c}` : `${Math.floor((r % 32) / 2)}.${c}`);
        const zero = new Map<string, boolean>();
        for (let r = 0; r < t.rows; r++) for (let c = 0; c < t.cols; c++) {
          const z = t.weights[r * t.cols + c] === 0;
          const k = key(r, c);
          if (!zero.has(k)) zero.set(k, z);
          else assert.equal(z, zero.get(k), `${t.name} ${layout}: block ${k} split at (${r}, ${c})`);
        }
        assert.equal(t.weights.reduce((n, w) => n + (w === 0 ? 1 : 0), 0) / t.weights.length, l.sparsity);
      });
      const s = await ort.InferenceSession.create(out);
      const y = (await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', new Float32Array(28 * 28).fill(0.5), [1, 28, 28]) }))[s.outputNames[0]];
      assert.deepEqual(y.dims, [1, 10]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the methods, their help and choices come from the scorer registry', async () => {
  let help = '';
  const program = new Command();
  program.exitOverride().configureOutput({ writeOut: (s) => (help += s) });
  register(program);
  await assert.rejects(program.parseAsync(['node', 'rampart', 'prune', '--help']));
  for (const m of METHOD_NAMES) assert.match(help, new RegExp(`\\b${m}\\b.*${METHODS[m].summary.slice(0, 12).replace(/[|()\\.*+?[\]^$]/g, '\\$&')}`));
  assert.deepEqual([...Object.keys(SCORERS), 'erk', 'imp'].sort(), [...METHOD_NAMES].sort());
  await assert.rejects(cli(['prune', 'test/fixtures/lstm.onnx', '-m', 'nope', '-o', '/tmp/never.onnx']), /Allowed choices are magnitude, random, snip, grasp, synflow, erk, imp/);
});

test('rampart prune refuses auto without a guard, and names the fix', async () => {
  await assert.rejects(cli(['prune', 'test/fixtures/lstm.onnx', '--guard', 'none', '-o', '/tmp/never.onnx']), /needs a guard/);
  await assert.rejects(cli(['prune', 'test/fixtures/lstm.onnx', '--no-guard', '-o', '/tmp/never.onnx']), /needs a guard/);
});
