// Dataset folders built from real MNIST digits, for the folder and bench tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../runtime/ir.ts';
import { loadDataset } from '../../src/data/index.ts';
import { encodeNpy } from '../../src/io/npy.ts';

export const int64 = (xs: ArrayLike<number>, dims = [xs.length]): Tensor => ({ dtype: 'int64', dims, data: Float64Array.from(xs) });

/** Writes .npy tensors (and text files such as meta.json) into dir/name. */
export function writeFolder(dir: string, name: string, files: Record<string, Tensor | string>): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(d, f), typeof v === 'string' ? v : encodeNpy(v));
  return d;
}

/** The first n MNIST test digits as their bytes, and their labels. */
export function digitBytes(n: number): { bytes: Uint8Array; labels: Uint8Array } {
  const ds = loadDataset('mnist', 'test', { limit: n });
  return { bytes: Uint8Array.from(ds.images, (v) => Math.round(v * 255)), labels: ds.labels };
}

/** Digits pooled 28 → 8 (3x3 means of the central 24x24), float32 in [0,1]: [n, 64] values. */
export function pooledDigits(bytes: Uint8Array, from: number, n: number): Float32Array {
  const x = new Float32Array(n * 64);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) {
      let s = 0;
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s += bytes[(from + i) * 784 + (2 + 3 * r + a) * 28 + 2 + 3 * c + b];
      x[i * 64 + r * 8 + c] = s / 9 / 255;
    }
  }
  return x;
}

/** The oracle: top-1 accuracy by onnxruntime-node on one tensor holding every sample. */
export async function ortAccuracy(modelPath: string, input: Float32Array, dims: number[], y: ArrayLike<number>): Promise<number> {
  const s = await ort.InferenceSession.create(modelPath);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', input, dims) });
  const z = out[s.outputNames[0]].data as Float32Array;
  const C = z.length / y.length;
  let hit = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (z[i * C + c] > z[i * C + best]) best = c;
    if (best === y[i]) hit++;
  }
  await s.release();
  return hit / y.length;
}
