// Loading an ONNX file: read, decode (runtime/onnx/decode.ts), resolve external
// data inside the model's folder only, validate, infer shapes.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Model } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { decodeModel } from '../../runtime/onnx/decode.ts';
import { validateModel } from '../ir/validate.ts';
import { inferShapes } from '../ir/shapes.ts';

export { decodeModel } from '../../runtime/onnx/decode.ts';

export interface LoadOptions {
  /** Accept NaN/Inf in float initializers (refused by default). */
  allowNonFinite?: boolean;
}

export function loadModel(path: string, opts: LoadOptions = {}): Model {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'model file not found' : code === 'EISDIR' ? 'is a folder, not a model file' : `cannot read model file (${(e as Error).message})`;
    throw new RampartError(why, { file: path, expected: 'an .onnx file' }, { cause: e });
  }
  const model = decodeModel(bytes, {
    file: path,
    externalData: externalDataReader(path),
    allowNonFinite: opts.allowNonFinite,
  });
  validateModel(model, path);
  inferShapes(model, path);
  return model;
}

/**
 * External data files must live in the model's folder (or below it). An absolute
 * location, one with `..` that climbs out, or a symlink that points outside is
 * refused: a model file must not be able to make Rampart read arbitrary files.
 */
export function externalDataReader(modelPath: string): (location: string) => Uint8Array {
  const dir = dirname(resolve(modelPath));
  const cache = new Map<string, Uint8Array>();
  const refuse = (location: string, why: string): never => {
    throw new RampartError(`external data location '${location}' ${why}`, {
      file: modelPath, expected: "a relative path inside the model's folder",
    });
  };
  const inside = (root: string, p: string) => {
    const r = relative(root, p);
    return r !== '' && !r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r);
  };
  return (location) => {
    const hit = cache.get(location);
    if (hit) return hit;
    if (location.includes('\0')) refuse(location, 'contains a NUL byte');
    if (isAbsolute(location) || /^[a-zA-Z]:[\\/]/.test(location) || location.startsWith('\\')) refuse(location, 'is absolute');
    const full = resolve(dir, location);
    if (!inside(dir, full)) refuse(location, "escapes the model's folder");
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      return refuse(location, 'does not exist');
    }
    if (!inside(realpathSync(dir), real)) refuse(location, "resolves (through a symlink) outside the model's folder");
    if (!statSync(real).isFile()) refuse(location, 'is not a file');
    const bytes = readFileSync(real);
    cache.set(location, bytes);
    return bytes;
  };
}
