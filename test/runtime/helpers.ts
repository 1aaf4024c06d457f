// Shared helpers of the runtime tests: magnitude pruning (the oracle side must not
// depend on Rampart's pruner), onnxruntime-node runs, and tensor comparison.
import * as ort from 'onnxruntime-node';
import type { Model, Tensor } from '../../runtime/ir.ts';
import { Tensor as RTensor } from '../../runtime/index.ts';
import { prunableWeights } from '../../src/ir/layers.ts';

/** Zeroes the fraction `sparsity` of smallest-magnitude entries of every prunable weight (per tensor). */
export function magnitudePrune(model: Model, sparsity: number): Model {
  const m: Model = structuredClone(model);
  const done = new Set<string>();
  for (const pw of prunableWeights(m)) {
    if (done.has(pw.initializer)) continue;
    done.add(pw.initializer);
    const d = m.graph.initializers[pw.initializer].data as Float32Array;
    const k = Math.floor(d.length * sparsity);
    if (k === 0) continue;
    const order = Array.from(d.keys()).sort((a, b) => Math.abs(d[a]) - Math.abs(d[b]) || a - b);
    for (let i = 0; i < k; i++) d[order[i]] = 0;
  }
  return m;
}

const ORT_TYPES: Record<string, ort.Tensor.Type> = { float32: 'float32', int64: 'int64', int32: 'int32' };

export function toOrt(t: Tensor): ort.Tensor {
  if (t.dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(t.data as Float64Array, (v) => BigInt(v)), t.dims);
  return new ort.Tensor(ORT_TYPES[t.dtype], t.data as Float32Array, t.dims);
}

export async function ortRun(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
export function randomFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Time step t of a batch-first [N, T, ...] input as [N, 1, ...] (the streaming tests' feed). */
export function stepOf(x: Tensor, t: number): RTensor {
  const [N, T, ...rest] = x.dims;
  const inner = rest.reduce((a, b) => a * b, 1);
  const out = new Float32Array(N * inner), d = x.data as Float32Array;
  for (let b = 0; b < N; b++) out.set(d.subarray((b * T + t) * inner, (b * T + t + 1) * inner), b * inner);
  return new RTensor('float32', out, [N, 1, ...rest]);
}
