// Loading an ONNX file: read, decode (runtime/onnx/decode.ts), resolve external
// data inside the model's folder only, validate, infer shapes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { externalDataReader } from '../../runtime/external-data.ts';
import { validateModel } from '../ir/validate.ts';
import { inferShapes } from '../ir/shapes.ts';

export { decodeModel } from '../../runtime/onnx/decode.ts';

export interface LoadOptions {
  /** Accept NaN/Inf in float initializers (refused by default). */
  allowNonFinite?: boolean;
}

export function loadModel(modelPath: string, opts: LoadOptions = {}): Model {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(modelPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'model file not found' : code === 'EISDIR' ? 'is a folder, not a model file' : `cannot read model file (${(e as Error).message})`;
    throw new RampartError(why, { file: modelPath, expected: 'an .onnx file' }, { cause: e });
  }
  const model = decodeModel(bytes, {
    file: modelPath,
    externalData: externalDataReader(modelPath, fs, path),
    allowNonFinite: opts.allowNonFinite,
  });
  validateModel(model, modelPath);
  inferShapes(model, modelPath);
  return model;
}
