// Loading an ONNX file: read, decode (runtime/onnx/decode.ts, within the memory
// budget of runtime/limits.ts), resolve external data inside the model's folder only,
// validate (runtime/onnx/validate.ts, the runtime's validator too), infer shapes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { defaultMemoryLimit, formatBytes } from '../../runtime/limits.ts';
import { externalDataReader } from '../../runtime/external-data.ts';
import { validateModel } from '../ir/validate.ts';
import { inferShapes } from '../ir/shapes.ts';

export { decodeModel } from '../../runtime/onnx/decode.ts';

export interface LoadOptions {
  /** Accept NaN/Inf in float initializers (refused by default). */
  allowNonFinite?: boolean;
  /** Bytes the model's tensors may take (runtime/limits.ts; default its default limit, the CLI's --max-memory). */
  maxMemory?: number;
}

export function loadModel(modelPath: string, opts: LoadOptions = {}): Model {
  const limit = opts.maxMemory ?? defaultMemoryLimit();
  let bytes: Uint8Array;
  try {
    // A file past the limit cannot decode within it (its tensors are at least its bytes): refused unread.
    const size = fs.statSync(modelPath).size;
    if (size > limit) {
      throw new RampartError(`the model file is ${formatBytes(size)}, past the memory limit of ${formatBytes(limit)}`, {
        file: modelPath, expected: 'a smaller model, or a higher --max-memory',
      });
    }
    bytes = fs.readFileSync(modelPath);
  } catch (e) {
    if (e instanceof RampartError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'model file not found' : code === 'EISDIR' ? 'is a folder, not a model file' : `cannot read model file (${(e as Error).message})`;
    throw new RampartError(why, { file: modelPath, expected: 'an .onnx file' }, { cause: e });
  }
  const model = decodeModel(bytes, {
    file: modelPath,
    externalData: externalDataReader(modelPath, fs, path),
    allowNonFinite: opts.allowNonFinite,
    maxMemory: limit,
  });
  validateModel(model, modelPath);
  inferShapes(model, modelPath);
  return model;
}
