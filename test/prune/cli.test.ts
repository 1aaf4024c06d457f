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
import { pruneTargets } from '../../src/prune/targets.ts';

async function cli(args: string[]): Promise<string> {
  const program = new Command();
  program.exitOverride();
  register(program);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => { chunks.push(String(s)); return true; }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'rampart', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

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

test('rampart prune refuses auto without a guard, and names the fix', async () => {
  await assert.rejects(cli(['prune', 'test/fixtures/lstm.onnx', '--guard', 'none', '-o', '/tmp/never.onnx']), /needs a guard/);
  await assert.rejects(cli(['prune', 'test/fixtures/lstm.onnx', '--no-guard', '-o', '/tmp/never.onnx']), /needs a guard/);
});
