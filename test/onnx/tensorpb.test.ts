// readTensorPb / readTestDataSet over ONNX's conformance data. The oracle for the
// dtype decoding is onnxruntime: it runs each original model on the decoded
// inputs, and its outputs must equal the decoded expected outputs — two
// independent producers (ONNX's reference data, ORT) agreeing through our decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { readTensorPb, readTestDataSet } from '../../src/onnx/tensorpb.ts';
import { onnx } from './build.ts';
import { maxAbsDiff, runOrt } from './ort.ts';

const NODE = '/usr/share/libonnx-testdata/data/node';

test('readTensorPb reads name, dtype, dims and values', () => {
  const { name, tensor } = readTensorPb(join(NODE, 'test_gemm_default_no_bias/test_data_set_0/input_0.pb'));
  assert.equal(name, 'a');
  assert.equal(tensor.dtype, 'float32');
  assert.deepEqual(tensor.dims, [2, 10]);
  assert.equal(tensor.data.length, 20);
});

test('decoded inputs and expected outputs of typed conformance cases agree with onnxruntime', async () => {
  const typed = /int8|int16|int32|int64|uint|bool|float16|FLOAT16|DOUBLE|double|STRING|string|equal|greater|less|argmax|nonzero|_not$|and|xor/i;
  const dtypes = new Set<string>();
  let compared = 0;
  // Random ops have no reproducible expected output.
  for (const name of readdirSync(NODE).filter((d) => typed.test(d) && !/bernoulli|random|dropout/.test(d)).sort()) {
    const dir = join(NODE, name);
    let model;
    try {
      model = decodeModel(readFileSync(join(dir, 'model.onnx')), { allowNonFinite: true });
    } catch {
      continue; // bfloat16 and sequence types: not representable, refused by design
    }
    const ds = readTestDataSet(join(dir, 'test_data_set_0'), model);
    let got;
    try {
      got = await runOrt(readFileSync(join(dir, 'model.onnx')), ds.inputs);
    } catch {
      continue; // ORT lacks the kernel (see roundtrip.test.ts); nothing to compare against
    }
    for (const [k, want] of Object.entries(ds.outputs)) {
      const exact = !/float/.test(want.dtype);
      // ORT prints floats with more digits than ONNX's reference ('0.60484552' vs '0.6048455').
      const asNumbers = (t: Tensor) => (t.dtype === 'string' && (t.data as string[]).every((x) => x !== '' && !Number.isNaN(Number(x)))
        ? { dtype: 'float64' as const, dims: t.dims, data: Float64Array.from(t.data as string[], Number) } : t);
      const d = maxAbsDiff(asNumbers(want), asNumbers(got[k]));
      assert.ok(exact && want.dtype !== 'string' ? d === 0 : d <= 1e-3, `${name}: output '${k}' (${want.dtype}) differs from ORT by ${d}`);
      dtypes.add(want.dtype);
    }
    for (const t of Object.values(ds.inputs)) dtypes.add(t.dtype);
    compared++;
  }
  console.log(`compared ${compared} typed conformance cases with ORT; dtypes seen: ${[...dtypes].sort().join(', ')}`);
  assert.ok(compared >= 60, `only ${compared} typed cases compared`);
  for (const d of ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string']) {
    assert.ok(dtypes.has(d), `no conformance case exercised ${d}`);
  }
});

test('bad tensor files are RampartErrors naming the file', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rampart-pb-'));
  try {
    assert.throws(() => readTensorPb(join(tmp, 'none.pb')), (e: Error) => e instanceof RampartError && /none\.pb: cannot read tensor file/.test(e.message));
    writeFileSync(join(tmp, 'junk.pb'), Uint8Array.of(0x0a, 0xff, 0xff, 0xff));
    assert.throws(() => readTensorPb(join(tmp, 'junk.pb')), /junk\.pb: not a valid TensorProto/);
    writeFileSync(join(tmp, 'short.pb'), onnx.TensorProto.encode({ name: 'x', dataType: 1, dims: [4], rawData: new Uint8Array(8) }).finish());
    assert.throws(() => readTensorPb(join(tmp, 'short.pb')), /short\.pb: tensor 'x' has 8 bytes of raw data/);
    assert.throws(() => readTestDataSet(join(tmp, 'nope'), decodeModel(readFileSync(join(NODE, 'test_relu/model.onnx')))), /test data set folder not found/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.ok(existsSync(NODE));
});
