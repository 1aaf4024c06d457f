// Shared by the train tests: onnxruntime-node as the oracle, small IR builders.
import * as ort from 'onnxruntime-node';
import type { Attr, Model, Node, Tensor } from '../../runtime/ir.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { tf } from '../../src/train/tf.ts';
import { lowerToTfjs } from '../../src/train/lower.ts';

/** Runs the model in onnxruntime-node on float32 feeds; returns every graph output. */
export async function ortRun(model: Model | Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(model instanceof Uint8Array ? model : encodeModel(model));
  const f: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', Float32Array.from(t.data as Float32Array), t.dims);
  const out = await s.run(f);
  await s.release();
  const r: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(out)) r[k] = t.data as Float32Array;
  return r;
}

/** The lowering's forward pass, as plain arrays. */
export function tfjsRun(model: Model, feeds: Record<string, Tensor>, outputs?: string[]): Record<string, Float32Array> {
  const low = lowerToTfjs(model);
  try {
    return tf.tidy(() => {
      const out = low.forward(feeds, { outputs });
      const r: Record<string, Float32Array> = {};
      for (const [k, t] of Object.entries(out)) r[k] = Float32Array.from(t.dataSync() as Float32Array);
      return r;
    });
  } finally {
    low.dispose();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}

export function randomTensor(dims: number[], seed: number, scale = 1): Tensor {
  const r = mulberry32(seed);
  const n = dims.reduce((p, d) => p * d, 1);
  return { dtype: 'float32', dims, data: Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale) };
}

export const int = (value: number): Attr => ({ type: 'int', value });
export const ints = (value: number[]): Attr => ({ type: 'ints', value });
export const float = (value: number): Attr => ({ type: 'float', value });
export const floats = (value: number[]): Attr => ({ type: 'floats', value });
export const str = (value: string): Attr => ({ type: 'string', value });
export const strs = (value: string[]): Attr => ({ type: 'strings', value });

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}, name = `${op}_${outputs[0] || outputs[1]}`): Node {
  return { name, op, domain: '', inputs, outputs, attrs };
}

/** A one-graph model over float32 inputs and outputs (opset 14 unless given). */
export function graphModel(
  inputs: { name: string; shape: (number | string)[] }[],
  outputs: string[],
  nodes: Node[],
  initializers: Record<string, Tensor>,
  opset = 14,
): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: opset }],
    producerName: 'rampart-test',
    producerVersion: '0',
    graph: {
      name: 'test',
      inputs: inputs.map((i) => ({ name: i.name, dtype: 'float32', shape: i.shape })),
      outputs: outputs.map((name) => ({ name, dtype: 'float32', shape: null })),
      initializers,
      nodes,
      valueInfo: {},
    },
    functions: [],
    metadata: {},
  };
}
