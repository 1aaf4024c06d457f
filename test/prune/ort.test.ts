// The pruned model, written to disk, still runs in onnxruntime-node, and computes
// what the masked weights say (checked against a plain JS forward pass).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { saveModel } from '../../src/onnx/export.ts';
import { prune } from '../../src/prune/prune.ts';
import { mlp } from './helpers.ts';

test('a pruned MLP saved with saveModel runs in onnxruntime-node with exactly zero pruned weights', async () => {
  const W1 = Array.from({ length: 6 * 8 }, (_, i) => Math.sin(3 * i + 1));
  const W2 = Array.from({ length: 3 * 6 }, (_, i) => Math.cos(2 * i + 1));
  const m = mlp([{ name: 'W1', out: 6, in: 8, values: W1 }, { name: 'W2', out: 3, in: 6, values: W2 }], true);
  const r = await prune(m, { method: 'magnitude', sparsity: 0.6, scope: 'layer', criterion: null });
  const dir = mkdtempSync(join(tmpdir(), 'rampart-prune-'));
  try {
    const path = join(dir, 'pruned.onnx');
    saveModel(r.model, path);
    const s = await ort.InferenceSession.create(path);
    const x = Float32Array.from({ length: 2 * 8 }, (_, i) => (i % 5) - 2);
    const out = await s.run({ x: new ort.Tensor('float32', x, [2, 8]) });
    const y = out.y.data as Float32Array;
    // JS forward with the masks applied by hand: keep the top 40% |w| of each layer.
    const keep = (w: number[], k: number) => {
      const t = [...w].map(Math.abs).sort((a, b) => b - a)[k - 1];
      return w.map((v) => (Math.abs(v) >= t ? v : 0));
    };
    const m1 = keep(W1, Math.round(0.4 * 48));
    const m2 = keep(W2, Math.round(0.4 * 18));
    for (let b = 0; b < 2; b++) {
      const h = Array.from({ length: 6 }, (_, j) => Math.max(0, 0.1 + [...Array(8).keys()].reduce((s2, i) => s2 + m1[j * 8 + i] * x[b * 8 + i], 0)));
      for (let c = 0; c < 3; c++) {
        const e = 0.1 + h.reduce((s2, hj, j) => s2 + m2[c * 6 + j] * hj, 0);
        assert.ok(Math.abs(y[b * 3 + c] - e) < 1e-5, `y[${b},${c}] = ${y[b * 3 + c]}, expected ${e}`);
      }
    }
    const saved = r.model.graph.initializers.W1.data as Float32Array;
    assert.equal(saved.filter((w) => w === 0).length, 48 - Math.round(0.4 * 48));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
