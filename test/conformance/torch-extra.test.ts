// The extra PyTorch exports (test/fixtures/extra, made by scripts/make_extra_fixtures.py):
// other opsets, a time-major LSTM, a stride-2 / grouped CNN whose AvgPool2d exports as
// Pad + AveragePool, a GRU exported at a fixed batch of 1 (its zero state is an Expand),
// and a model of the ops PyTorch writes for edge models (Resize nearest/bilinear, Layer-
// Norm, GELU's Erf, HardSwish, HardSigmoid, Where, ReduceMean). Through the whole import
// (validate, shape inference, checked intermediate by intermediate against onnxruntime)
// and every backend (reference, js, wasm), against PyTorch's outputs and onnxruntime-node
// on the same input; the last two also through inspect and, pruned, onnx-csr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxOpset, type Model } from '../../runtime/ir.ts';
import { InferenceSession } from '../../runtime/index.ts';
import { executeModel } from '../../runtime/executor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { readNpy } from '../../src/io/npy.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { inspectModel } from '../../src/inspect/report.ts';
import { onnxCsrTarget } from '../../targets/onnx-csr/index.ts';
import { magnitudePrune } from '../runtime/helpers.ts';
import { maxAbsDiff, runOrt } from '../onnx/ort.ts';

const TOL = 1e-5;
const DIR = join(import.meta.dirname, '..', 'fixtures', 'extra');

interface Entry { model: string; opset: number; batch: string | number; inputs: Record<string, string>; outputs: Record<string, string> }
const { fixtures } = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { fixtures: Record<string, Entry> };

test('the extra manifest lists its fixtures', () => {
  assert.deepEqual(Object.keys(fixtures).sort(), ['cnn_stride2', 'edge_ops', 'gru_batch1', 'gru_opset11', 'lstm_time_major']);
});

for (const [name, fx] of Object.entries(fixtures)) {
  test(`extra fixture ${name} (opset ${fx.opset}): reference, js and wasm match PyTorch and onnxruntime`, async () => {
    const file = join(DIR, fx.model);
    const model = loadModel(file);
    assert.equal(onnxOpset(model), fx.opset);
    const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, npy]) => [k, readNpy(join(DIR, npy))]));
    const theirs = await runOrt(readFileSync(file), feeds);
    const runs = { reference: executeModel(model, feeds, referenceKernels, { opset: onnxOpset(model), file }) };
    for (const backend of ['js', 'wasm'] as const) {
      const s = await InferenceSession.create(file, { backend });
      Object.assign(runs, { [backend]: await s.run(feeds) });
    }
    for (const [output, npy] of Object.entries(fx.outputs)) {
      for (const [backend, ours] of Object.entries(runs)) {
        const vsTorch = maxAbsDiff(ours[output], readNpy(join(DIR, npy)));
        const vsOrt = maxAbsDiff(ours[output], theirs[output]);
        assert.ok(vsTorch <= TOL, `${backend} ${output} vs PyTorch: ${vsTorch}`);
        assert.ok(vsOrt <= TOL, `${backend} ${output} vs onnxruntime: ${vsOrt}`);
      }
      // Shape inference followed the export to a concrete class axis.
      assert.deepEqual(model.graph.outputs.find((o) => o.name === output)?.shape, [fx.batch, 10]);
    }
  });
}

test('extra fixtures: shape inference gives every intermediate the shape onnxruntime computes', async () => {
  for (const [name, fx] of Object.entries(fixtures)) {
    const m = loadModel(join(DIR, fx.model));
    const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, npy]) => [k, readNpy(join(DIR, npy))]));
    const names = m.graph.nodes.flatMap((x) => x.outputs).filter((o) => o);
    const inferred = new Map(names.map((o) => [o, m.graph.valueInfo[o] ?? m.graph.outputs.find((v) => v.name === o)]));
    // Every intermediate exposed as an output (no shapes declared), computed by onnxruntime.
    const probe: Model = structuredClone(m);
    probe.graph.outputs = names.map((o) => ({ name: o, dtype: inferred.get(o)?.dtype ?? 'float32', shape: null }));
    probe.graph.valueInfo = {};
    const got = await runOrt(encodeModel(probe), feeds);
    const bound = new Map<string, number>();
    for (const o of names) {
      const shape = inferred.get(o)?.shape;
      assert.ok(shape, `${name}: no shape inferred for '${o}'`);
      const want = got[o].dims;
      assert.equal(shape.length, want.length, `${name}: rank of '${o}'`);
      shape.forEach((d, i) => {
        // A symbol stands for one size everywhere.
        if (typeof d === 'string' && !bound.has(d)) bound.set(d, want[i]);
        const size = typeof d === 'string' ? bound.get(d) : d;
        assert.equal(size, want[i], `${name}: '${o}' inferred ${JSON.stringify(shape)}, onnxruntime [${want}]`);
      });
      assert.equal(got[o].dtype, inferred.get(o)!.dtype, `${name}: dtype of '${o}'`);
    }
  }
});

for (const name of ['gru_batch1', 'edge_ops']) {
  test(`extra fixture ${name}: inspect finds every op supported; pruned 90% and compiled to onnx-csr it runs on every backend`, async () => {
    const fx = fixtures[name];
    const model = loadModel(join(DIR, fx.model));
    assert.deepEqual(inspectModel(model, { file: fx.model, batch: 1, seqLen: 28 }).unsupported, []);
    const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, npy]) => [k, readNpy(join(DIR, npy))]));
    const pruned = magnitudePrune(model, 0.9);
    const want = await runOrt(encodeModel(pruned), feeds);
    const csr = onnxCsrTarget.compile(pruned, {});
    assert.ok(csr.layers.some((l) => l.action === 'csr'), 'some layer was stored as CSR');
    for (const backend of ['reference', 'js', 'wasm'] as const) {
      const got = await (await InferenceSession.create(csr.bytes, { backend })).run(feeds);
      for (const k of Object.keys(fx.outputs)) assert.ok(maxAbsDiff(got[k], want[k]) <= 1e-4, `${backend} '${k}': ${maxAbsDiff(got[k], want[k])}`);
    }
  });
}
