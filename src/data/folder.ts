// A dataset of the user's: a folder of NumPy files (docs/design/cli-data.md "Dataset
// folders"):
//
//   x_train.npy  y_train.npy  x_test.npy  y_test.npy  [meta.json]
//
// x: float32 or uint8, [N, ...sample] (the samples on axis 0, or on meta.json's
// `batchAxis`), each sample shaped like the model's input without its batch axis;
// y: integer class labels, [N] or [N,1], 0..255. uint8 inputs are scaled by 1/255
// (pixel bytes to [0,1], the zoo's convention) unless meta.json gives a `scale`.
// Every refusal names the file and what was expected; the checks against a model
// (sample shape, label range against its output width) are in fit.ts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RampartError } from '../../runtime/errors.ts';
import { shapeString } from '../../runtime/tensor.ts';
import { readNpy } from '../io/npy.ts';
import type { Dataset, Split } from './types.ts';

export const FOLDER_FILES = ['x_train.npy', 'y_train.npy', 'x_test.npy', 'y_test.npy'] as const;
const META_KEYS = ['scale', 'offset', 'batchAxis', 'classes', 'description'] as const;

export interface FolderMeta {
  /** x is multiplied by this (default 1/255 for uint8, 1 for float32)... */
  scale?: number;
  /** ...and then this is added (default 0). */
  offset?: number;
  /** The axis of x that counts the samples (default 0). */
  batchAxis?: number;
  /** Class names; the labels must index into them. */
  classes?: string[];
  description?: string;
}

/** A folder dataset: `images` holds n samples of `sample` values each (not 784 in general). */
export interface FolderDataset extends Dataset {
  /** The shape of one sample (x's dims without the batch axis). */
  sample: number[];
  dir: string;
  /** The x and y files this split came from, for error messages. */
  files: { x: string; y: string };
  meta: FolderMeta;
}

export function isFolderDataset(ds: Dataset): ds is FolderDataset {
  return Array.isArray((ds as Partial<FolderDataset>).sample) && typeof (ds as Partial<FolderDataset>).dir === 'string';
}

const cache = new Map<string, FolderDataset>();

function readMeta(dir: string): FolderMeta {
  const file = join(dir, 'meta.json');
  if (!existsSync(file)) return {};
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RampartError(`not valid JSON: ${(e as Error).message}`, { file, expected: 'a JSON object such as {"scale": 0.00392156862745098}' });
  }
  const bad = (what: string, expected: string): never => { throw new RampartError(what, { file, expected }); };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('not a JSON object', `an object with keys ${META_KEYS.join(', ')}`);
  const m = v as Record<string, unknown>;
  for (const k of Object.keys(m)) if (!(META_KEYS as readonly string[]).includes(k)) bad(`unknown key '${k}'`, `only ${META_KEYS.join(', ')}`);
  const num = (k: 'scale' | 'offset') => {
    if (m[k] !== undefined && !(typeof m[k] === 'number' && Number.isFinite(m[k]))) bad(`"${k}" is ${JSON.stringify(m[k])}`, 'a finite number');
  };
  num('scale');
  num('offset');
  if (m.batchAxis !== undefined && !(Number.isInteger(m.batchAxis) && (m.batchAxis as number) >= 0)) bad(`"batchAxis" is ${JSON.stringify(m.batchAxis)}`, 'an axis index ≥ 0');
  if (m.classes !== undefined && !(Array.isArray(m.classes) && m.classes.length > 0 && m.classes.every((c) => typeof c === 'string'))) {
    bad('"classes" is not a list of names', 'a non-empty list of strings, one per class');
  }
  if (m.description !== undefined && typeof m.description !== 'string') bad('"description" is not a string', 'a string');
  return m as FolderMeta;
}

/** Moves axis `axis` of `t` to the front (C order in and out). */
function batchFirst(data: Float32Array<ArrayBuffer>, dims: number[], axis: number): Float32Array<ArrayBuffer> {
  if (axis === 0) return data;
  const pre = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = dims[axis];
  const post = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.length);
  for (let p = 0; p < pre; p++) {
    for (let i = 0; i < n; i++) out.set(data.subarray((p * n + i) * post, (p * n + i + 1) * post), (i * pre + p) * post);
  }
  return out;
}

function readInputs(file: string, meta: FolderMeta, labels: number): { data: Float32Array; sample: number[] } {
  const t = readNpy(file);
  if (t.dtype !== 'float32' && t.dtype !== 'uint8') {
    const hint = t.dtype === 'float64' ? " (numpy's default: save x.astype(np.float32))" : '';
    throw new RampartError(`inputs are ${t.dtype}${hint}`, { file, expected: 'float32 or uint8 inputs' });
  }
  const axis = meta.batchAxis ?? 0;
  if (axis >= t.dims.length) {
    throw new RampartError(`inputs have shape ${shapeString(t.dims)}, no axis ${axis} (meta.json "batchAxis")`, { file, expected: 'an array with the samples on axis batchAxis' });
  }
  if (t.dims[axis] !== labels) {
    throw new RampartError(`${t.dims[axis]} samples on axis ${axis} of shape ${shapeString(t.dims)}, but ${labels} labels`, {
      file, expected: `one sample per label: [${labels}, ...sample]${axis === 0 ? ' (or meta.json "batchAxis" for another axis)' : ''}`,
    });
  }
  const scale = meta.scale ?? (t.dtype === 'uint8' ? 1 / 255 : 1);
  const offset = meta.offset ?? 0;
  const src = t.data as Float32Array | Uint8Array;
  let data = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = src[i] * scale + offset;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RampartError(`input value ${data[i]} at flat index ${i}`, { file, expected: 'finite inputs' });
  }
  data = batchFirst(data, t.dims, axis);
  return { data, sample: t.dims.filter((_, k) => k !== axis) };
}

function readLabels(file: string, meta: FolderMeta): Uint8Array {
  const t = readNpy(file);
  if (!['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'].includes(t.dtype)) {
    throw new RampartError(`labels are ${t.dtype}`, { file, expected: 'integer class labels (int64, int32, uint8, ...)' });
  }
  if (!(t.dims.length === 1 || (t.dims.length === 2 && t.dims[1] === 1))) {
    throw new RampartError(`labels have shape ${shapeString(t.dims)}`, { file, expected: 'one class index per sample, shape [N] or [N,1]' });
  }
  const top = meta.classes ? meta.classes.length - 1 : 255;
  const out = new Uint8Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    const v = Number(t.data[i]);
    if (!(v >= 0 && v <= top)) {
      throw new RampartError(`label ${v} at index ${i}`, { file, expected: `class indices 0..${top}${meta.classes ? ` (meta.json lists ${meta.classes.length} classes)` : ' (at most 256 classes)'}` });
    }
    out[i] = v;
  }
  return out;
}

/** The folder's absolute path, or a RampartError saying what a dataset argument can be. */
export function datasetFolder(arg: string): string {
  const dir = resolve(arg);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch { /* not there */ }
  if (!isDir) {
    throw new RampartError(`unknown dataset '${arg}': not a built-in dataset, and no such folder`, {
      file: dir, expected: `mnist, fashion-mnist, or a folder with ${FOLDER_FILES.join(', ')} (and optionally meta.json)`,
    });
  }
  for (const f of FOLDER_FILES) {
    if (!existsSync(join(dir, f))) throw new RampartError(`the dataset folder has no ${f}`, { file: join(dir, f), expected: `the four files ${FOLDER_FILES.join(', ')}` });
  }
  return dir;
}

export function loadFolderDataset(arg: string, split: Split, limit?: number): FolderDataset {
  const dir = datasetFolder(arg);
  const files = { x: join(dir, `x_${split}.npy`), y: join(dir, `y_${split}.npy`) };
  const stamp = [files.x, files.y, join(dir, 'meta.json')].map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)).join(',');
  const key = `${dir}\0${split}\0${stamp}`;
  let full = cache.get(key);
  if (!full) {
    const meta = readMeta(dir);
    const labels = readLabels(files.y, meta);
    const { data, sample } = readInputs(files.x, meta, labels.length);
    full = { images: data, labels, n: labels.length, split, sample, dir, files, meta };
    cache.set(key, full);
  }
  if (limit === undefined || limit >= full.n) return full;
  const per = full.images.length / Math.max(full.n, 1);
  return { ...full, images: full.images.subarray(0, limit * per), labels: full.labels.subarray(0, limit), n: limit };
}

