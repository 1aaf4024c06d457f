// Serialized TensorProto files (.pb), the inputs and expected outputs of ONNX's
// conformance data: <test>/test_data_set_N/{input,output}_K.pb. Decoded with the
// same tensor decoder as model initializers, so every dtype and storage form the
// importer understands is understood here too.
import onnxProto from 'onnx-proto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model, Tensor } from '../../runtime/ir.ts';
import { RampartError, withContext } from '../../runtime/errors.ts';
import { decodeTensor } from '../../runtime/onnx/tensor.ts';

const { onnx } = onnxProto;

export interface NamedTensor {
  /** The TensorProto's name ('' when the file leaves it out). */
  name: string;
  tensor: Tensor;
}

export function parseTensorPb(bytes: Uint8Array, file?: string): NamedTensor {
  let tp;
  try {
    tp = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new RampartError(`not a valid TensorProto: ${(e as Error).message}`, { file }, { cause: e });
  }
  try {
    return { name: tp.name ?? '', tensor: decodeTensor(tp, `tensor '${tp.name ?? ''}'`, { file }) };
  } catch (e) {
    throw withContext(e, { file });
  }
}

export function readTensorPb(path: string): NamedTensor {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new RampartError(`cannot read tensor file: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  return parseTensorPb(bytes, path);
}

export interface TestDataSet {
  inputs: Record<string, Tensor>;
  outputs: Record<string, Tensor>;
}

/**
 * Reads one test_data_set_N folder. Files are matched to the model's inputs and
 * outputs by their TensorProto name, or by position (input_K is the K-th runtime
 * input) where the file has no name or the name is not one of the model's.
 */
export function readTestDataSet(dir: string, model: Model): TestDataSet {
  const read = (prefix: string, names: string[]): Record<string, Tensor> => {
    const files = readdirSync(dir)
      .map((f) => /^(\w+)_(\d+)\.pb$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null && m[1] === prefix)
      .sort((a, b) => Number(a[2]) - Number(b[2]));
    const out: Record<string, Tensor> = {};
    for (const m of files) {
      const k = Number(m[2]);
      const { name, tensor } = readTensorPb(join(dir, m[0]));
      const key = names.includes(name) ? name : names[k];
      if (key === undefined) {
        throw new RampartError(`${m[0]} does not match any model ${prefix} (the model has ${names.length})`, { file: join(dir, m[0]) });
      }
      out[key] = tensor;
    }
    return out;
  };
  if (!existsSync(dir)) throw new RampartError('test data set folder not found', { file: dir });
  return {
    inputs: read('input', model.graph.inputs.map((v) => v.name)),
    outputs: read('output', model.graph.outputs.map((v) => v.name)),
  };
}
