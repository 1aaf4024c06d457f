// The zoo models the compiled-target tests run (wasm in Node and Chromium, firmware in
// QEMU): dense, pruned to 90% by magnitude per matrix (unstructured: the C target stores
// it as CSR) and with 75% of its 8x1 blocks zeroed (block CSR), each with a few random
// batch-1 samples and onnxruntime-node's outputs on them, the oracle.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Model, Tensor } from '../../runtime/ir.ts';
import { loadModel } from '../../src/onnx/import.ts';
import { runOrt } from '../c-target/harness.ts';
import { blockPruneModel, pruneModel, rng } from '../c-target/models.ts';

export const ROOT = join(import.meta.dirname, '..', '..');

export type Variant = 'dense' | 'pruned90' | '8x1';

export interface TargetCase {
  name: string;
  model: Model;
  /** Per sample, the graph inputs (batch 1). */
  samples: Tensor[][];
  /** onnxruntime-node's outputs per sample, all graph outputs concatenated. */
  want: Float32Array[];
  /** The storage the variant must get for its prunable layers. */
  storage: 'dense' | 'csr' | 'bsr';
}

/** A zoo model by folder name; the test fails (never skips) when it is missing. */
export function zooModel(name: string): Model {
  const path = join(ROOT, 'models', name, 'model.onnx');
  if (!existsSync(path)) throw new Error(`${path} is missing (the zoo is committed; restore it)`);
  return loadModel(path);
}

export function variant(model: Model, v: Variant): Model {
  if (v === 'dense') return model;
  if (v === 'pruned90') return pruneModel(model, 0.9);
  return blockPruneModel(model, 0.75, { br: 8, bc: 1, layout: 'natural' }).model;
}

export const STORAGE: Record<Variant, TargetCase['storage']> = { dense: 'dense', pruned90: 'csr', '8x1': 'bsr' };

/** Uniform [0, 1) images, as the zoo's inputs are: shapes from the graph input with batch 1. */
export function randomSamples(model: Model, n: number, seed: number): Tensor[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => model.graph.inputs.map((inp) => {
    const dims = (inp.shape ?? []).map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : 28));
    return { dtype: 'float32' as const, dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r(0, 1)) };
  }));
}

export async function targetCase(zoo: string, v: Variant, samples = 2, seed = 1): Promise<TargetCase> {
  const model = variant(zooModel(zoo), v);
  const s = randomSamples(model, samples, seed);
  return { name: `${zoo}/${v}`, model, samples: s, want: await runOrt(model, s), storage: STORAGE[v] };
}

/** The graph inputs of one sample concatenated, as the compiled APIs take them. */
export function flat(sample: Tensor[]): Float32Array {
  const n = sample.reduce((a, t) => a + t.data.length, 0);
  const out = new Float32Array(n);
  let at = 0;
  for (const t of sample) { out.set(t.data as Float32Array, at); at += t.data.length; }
  return out;
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}
