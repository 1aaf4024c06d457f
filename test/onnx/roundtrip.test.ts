// Export round trip with onnxruntime as the oracle: every conformance model ORT can
// run is decoded, re-encoded by Rampart, and run again in ORT on the conformance
// inputs; outputs must agree within 1e-6. The PyTorch fixtures go through the full
// loadModel (validation + shape inference, whose value_info ORT then checks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { RampartError } from '../../runtime/errors.ts';
import { encodeModel, saveModel } from '../../src/onnx/export.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { readTestDataSet } from '../../src/onnx/tensorpb.ts';
import { readNpy } from '../../src/io/npy.ts';
import type { Tensor } from '../../runtime/ir.ts';
import { maxAbsDiff, runOrt } from './ort.ts';

const ROOT = '/usr/share/libonnx-testdata/data';
const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'];

/** Models Rampart refuses at import, by design: the IR has no such types. */
const UNSUPPORTED_TYPE = /BFLOAT16|a sequence type|a non-tensor type|has no type/;

/**
 * Models onnxruntime-node 1.30 itself cannot load or run in their original form
 * (checked against the original bytes, before Rampart touches them). A model may
 * only be skipped when ORT fails on the original AND it matches a reason here.
 */
const ORT_CANNOT: [RegExp, string][] = [
  [/_batchwise$/, 'ORT CPU has no layout=1 (batch-first) RNN/GRU/LSTM kernels'],
  [/^test_(adagrad|adam|momentum|nesterov_momentum|gradient_of_add)/, 'ai.onnx.preview.training ops are not registered in ORT'],
  [/^test_(bitshift_\w+_uint16|max_u?int16|min_u?int16|pow_types_float32_uint(32|64))$/, 'ORT has no kernel for this type combination'],
  [/^test_(strnormalizer|strnorm_model)/, 'StringNormalizer needs the en_US.UTF-8 locale, absent here'],
  [/^test_(AvgPool|BatchNorm|GLU|Linear$|PReLU|PoissonNLLLLoss|Softsign|operator_(add|addconstant|addmm|basic|mm|non_float_params|params|pow))/,
    'opset 1-6 era PyTorch export: ORT has no kernel for these old op versions/types'],
];

function ortSkipReason(name: string): string | undefined {
  return ORT_CANNOT.find(([re]) => re.test(name))?.[1];
}

test('conformance models round-trip through encodeModel with identical ORT outputs', async () => {
  let roundTripped = 0, worst = 0;
  const refused: string[] = [], skipped: string[] = [];
  for (const suite of SUITES) {
    for (const name of readdirSync(join(ROOT, suite)).sort()) {
      const dir = join(ROOT, suite, name);
      const file = join(dir, 'model.onnx');
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      let model;
      try {
        model = decodeModel(bytes, { file, allowNonFinite: true });
      } catch (e) {
        assert.ok(e instanceof RampartError && UNSUPPORTED_TYPE.test(e.message), `${suite}/${name}: unexpected import failure: ${e}`);
        refused.push(name);
        continue;
      }
      const reason = ortSkipReason(name);
      const { inputs } = readTestDataSet(join(dir, 'test_data_set_0'), model);
      let want;
      try {
        want = await runOrt(bytes, inputs);
      } catch (e) {
        assert.ok(reason, `${suite}/${name}: ORT failed on the ORIGINAL model and it is not on the skip list: ${e}`);
        skipped.push(name);
        continue;
      }
      const got = await runOrt(encodeModel(model), inputs);
      for (const k of Object.keys(want)) {
        assert.ok(got[k], `${suite}/${name}: re-exported model lost output '${k}'`);
        const d = maxAbsDiff(want[k], got[k]);
        assert.ok(d <= 1e-6, `${suite}/${name}: output '${k}' differs by ${d}`);
        worst = Math.max(worst, d);
      }
      roundTripped++;
    }
  }
  console.log(`round-tripped ${roundTripped} models (max abs diff ${worst}); ${skipped.length} ORT cannot run; ${refused.length} refused at import (unsupported types)`);
  assert.ok(roundTripped >= 950, `only ${roundTripped} models round-tripped`);
  assert.ok(refused.length <= 40);
});

test('PyTorch fixtures: loadModel -> saveModel -> ORT gives the same outputs', async () => {
  const dir = join(import.meta.dirname, '../fixtures');
  const manifestFile = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    fixtures: Record<string, { model: string; inputs: Record<string, string> }>;
  };
  const tmp = mkdtempSync(join(tmpdir(), 'rampart-rt-'));
  let n = 0;
  try {
    for (const [key, fx] of Object.entries(manifest.fixtures)) {
      const file = join(dir, fx.model);
      const model = loadModel(file);
      const out = join(tmp, fx.model);
      saveModel(model, out);
      const feeds: Record<string, Tensor> = {};
      for (const [name, npy] of Object.entries(fx.inputs)) feeds[name] = readNpy(join(dir, npy));
      const want = await runOrt(readFileSync(file), feeds);
      const got = await runOrt(readFileSync(out), feeds);
      for (const k of Object.keys(want)) assert.ok(maxAbsDiff(want[k], got[k]) <= 1e-6, `${key}: output ${k} differs`);
      // The written file carries the inferred shapes (symbolic batch included) as value_info.
      const again = decodeModel(readFileSync(out));
      const intermediates = model.graph.nodes.flatMap((nd) => nd.outputs).filter((o) => o && !model.graph.outputs.some((v) => v.name === o));
      for (const o of intermediates) assert.ok(again.graph.valueInfo[o], `${key}: no value_info written for '${o}'`);
      n++;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.ok(n > 0);
});

test('encode then decode gives back the same IR', () => {
  for (const name of ['test_lstm_with_peepholes', 'test_conv_with_strides_padding', 'test_gemm_all_attributes', 'test_if', 'test_loop11', 'test_cast_FLOAT_to_FLOAT16', 'test_slice_start_out_of_bounds']) {
    const file = join(ROOT, 'node', name, 'model.onnx');
    const a = decodeModel(readFileSync(file));
    const b = decodeModel(encodeModel(a));
    assert.deepEqual({ ...b, irVersion: a.irVersion }, a, name);
    assert.ok(b.irVersion >= 8);
  }
});

test('saveModel writes atomically and leaves no temp file behind on failure', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rampart-save-'));
  try {
    const model = decodeModel(readFileSync(join(ROOT, 'node', 'test_relu', 'model.onnx')));
    const out = join(tmp, 'm.onnx');
    saveModel(model, out);
    assert.deepEqual(readdirSync(tmp), ['m.onnx']);
    assert.equal(decodeModel(readFileSync(out)).graph.nodes[0].op, 'Relu');
    assert.throws(() => saveModel(model, join(tmp, 'missing-dir', 'm.onnx')), (e: Error) => e instanceof RampartError && /its folder .*missing-dir does not exist/.test(e.message));
    // Writing over a folder fails at rename: the temp file must be cleaned up.
    assert.throws(() => saveModel(model, tmp), RampartError);
    assert.deepEqual(readdirSync(tmp), ['m.onnx']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
