// The zoo: every recipe has a committed model under 2 MB whose manifest tells the
// truth (accuracy re-measured here by onnxruntime-node on the recorded test split,
// size, parameter count, targets met), and `trainZooModel` writes a loadable model
// + manifest whose accuracy onnxruntime reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RampartError } from '../../runtime/errors.ts';
import { RECIPES } from '../../src/train/recipes.ts';
import { loadDataset } from '../../src/data/index.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { paramCount } from '../../src/train/build.ts';
import { ortEvaluate } from '../../src/train/ort.ts';
import { listZoo, modelPath, readManifest, trainZooModel } from '../../src/train/zoo.ts';

// The brief's targets; the rnn has none (0.85 "ideally").
// lstm-256 and lstm-stacked are the frontier bench's larger models (bench/frontier.ts); they
// are held to the same 0.94 floor as the brief's recurrent target less one point.
const TARGET: Record<string, number> = { lstm: 0.95, gru: 0.95, rnn: 0.85, cnn: 0.85, 'lstm-256': 0.94, 'lstm-stacked': 0.94 };

test('every recipe has a committed model < 2 MB whose manifest accuracy onnxruntime reproduces', async () => {
  const listed = listZoo();
  assert.deepEqual(listed.map((e) => e.name).slice(0, RECIPES.length), RECIPES.map((r) => r.name));
  for (const r of RECIPES) {
    const m = readManifest(r.name);
    assert.ok(m, `models/${r.name}/manifest.json exists`);
    const path = modelPath(r.name);
    const bytes = readFileSync(path);
    assert.ok(bytes.length < 2 << 20, `${r.name}: ${bytes.length} bytes`);
    assert.equal(m.bytes, statSync(path).size);
    const model = loadModel(path);
    assert.equal(m.params, paramCount(model));
    assert.deepEqual(m.recipe, JSON.parse(JSON.stringify(r)), `${r.name}: the committed model was trained by the current recipe`);
    assert.equal(m.seed, r.seed);
    const test = loadDataset(r.dataset, 'test', { limit: r.test.limit });
    assert.equal(m.data.testSamples, test.n);
    const acc = (await ortEvaluate(new Uint8Array(bytes), test, { model })).accuracy;
    assert.equal(acc, m.testAccuracy, `${r.name}: onnxruntime gives ${acc}, manifest says ${m.testAccuracy}`);
    assert.ok(acc >= TARGET[r.name], `${r.name}: accuracy ${acc} below target ${TARGET[r.name]}`);
  }
});

test('trainZooModel writes model.onnx + manifest.json that onnxruntime agrees with (1 quick epoch)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-zoo-'));
  try {
    const { manifest } = await trainZooModel('rnn', { dir, epochs: 1, trainLimit: 256, testLimit: 200 });
    const path = join(dir, 'rnn', 'model.onnx');
    const model = loadModel(path);
    assert.equal(manifest.epochs, 1);
    assert.equal(manifest.data.trainSamples, 256);
    assert.equal(manifest.history.length, 1);
    assert.equal(manifest.backend.name, 'wasm');
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'rnn', 'manifest.json'), 'utf8')), manifest);
    const acc = (await ortEvaluate(model, loadDataset('mnist', 'test', { limit: 200 }))).accuracy;
    assert.equal(acc, manifest.testAccuracy);
    assert.equal(manifest.tfjsTestAccuracy, manifest.testAccuracy, 'tfjs and onnxruntime agree on the written model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown recipe is refused naming the recipes there are', async () => {
  await assert.rejects(trainZooModel('nosuch', { epochs: 1 }),
    (e: unknown) => e instanceof RampartError && /no zoo recipe 'nosuch'/.test(e.message) && /lstm, gru, rnn, lstm-256, lstm-stacked, cnn/.test(e.message));
});
