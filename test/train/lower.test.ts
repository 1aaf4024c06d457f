// The lowering's forward pass against onnxruntime-node: the PyTorch fixtures (every
// output, both tfjs backends) and the committed zoo models, within 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { loadModel } from '../../src/onnx/import.ts';
import { readNpy } from '../../src/io/npy.ts';
import { loadDataset, toModelInput } from '../../src/data/index.ts';
import { RECIPES } from '../../src/train/recipes.ts';
import { modelPath } from '../../src/train/zoo.ts';
import { useBackend } from '../../src/train/backend.ts';
import { maxAbsDiff, ortRun, tfjsRun } from './helpers.ts';
import type { Tensor } from '../../runtime/ir.ts';

type Manifest = { fixtures: Record<string, { model: string; inputs: Record<string, string>; outputs: Record<string, string> }> };
// The fixtures the lowering was written against, and test/fixtures/extra: exports it was
// not (opset 11 GRU, time-major LSTM, grouped stride-2 CNN with Pad).
const SETS = ['../fixtures/', '../fixtures/extra/'].map((dir) => {
  const path = new URL(dir, import.meta.url).pathname;
  return { path, manifest: JSON.parse(readFileSync(path + 'manifest.json', 'utf8')) as Manifest };
});

for (const backend of ['wasm', 'cpu'] as const) {
  test(`PyTorch fixtures: tfjs-${backend} forward equals onnxruntime within 1e-4`, async () => {
    await useBackend(backend);
    const all = SETS.flatMap(({ path, manifest }) => Object.entries(manifest.fixtures).map(([name, f]) => ({ name, f, FIX: path })));
    assert.ok(all.length >= 10, 'the fixture sets are there');
    for (const { name, f, FIX } of all) {
      const model = loadModel(FIX + f.model);
      const feeds: Record<string, Tensor> = {};
      for (const [k, p] of Object.entries(f.inputs)) feeds[k] = readNpy(FIX + p);
      const ref = await ortRun(model, feeds);
      const got = tfjsRun(model, feeds, Object.keys(f.outputs));
      for (const out of Object.keys(f.outputs)) {
        const d = maxAbsDiff(got[out], ref[out]);
        assert.ok(d <= 1e-4, `${name}.${out}: max |tfjs - ort| = ${d}`);
        // And PyTorch's own numbers (the export is faithful to the module).
        const torch = readNpy(FIX + f.outputs[out]).data as Float32Array;
        assert.ok(maxAbsDiff(got[out], torch) <= 1e-4, `${name}.${out} vs PyTorch`);
      }
    }
  });
}

test('zoo models: tfjs forward equals onnxruntime within 1e-4 on 16 test images', async () => {
  await useBackend('wasm');
  for (const r of RECIPES) {
    const path = modelPath(r.name);
    assert.ok(existsSync(path), `zoo model ${r.name} is committed at ${path} (rampart zoo train ${r.name})`);
    const model = loadModel(path);
    const ds = loadDataset(r.dataset, 'test', { limit: 16 });
    const input = model.graph.inputs[0];
    const feeds = { [input.name]: toModelInput(ds, input.shape) };
    const out = model.graph.outputs[0].name;
    const d = maxAbsDiff(tfjsRun(model, feeds)[out], (await ortRun(model, feeds))[out]);
    assert.ok(d <= 1e-4, `${r.name}: max |tfjs - ort| = ${d}`);
  }
});
