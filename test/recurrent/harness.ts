// Test harness: one recurrent node run by the reference kernel, by any kernel table
// (the js/wasm backends) and by onnxruntime-node (the model built with onnx-proto), so
// hand-built cases have an independent oracle.
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import type { Attr, Node, Tensor } from '../../runtime/ir.ts';
import type { KernelTable } from '../../runtime/ops/types.ts';
import { recurrentKernels } from '../../runtime/ops/recurrent/index.ts';
import { rng } from '../../src/util/random.ts';
import { maxAbsDiff } from '../onnx/ort.ts';

export { maxAbsDiff, rng };

const { onnx } = onnxProto;

export const INPUT_NAMES = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'];

export interface RecurrentCase {
  op: 'LSTM' | 'GRU' | 'RNN';
  attrs: Record<string, Attr>;
  /** In ONNX order; undefined = absent optional input. */
  inputs: (Tensor | undefined)[];
  opset?: number;
}

export function randTensor(r: ReturnType<typeof rng>, dims: number[], lo = -1, hi = 1): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', dims, data: Float32Array.from({ length: n }, () => r(lo, hi)) };
}

export function int32(dims: number[], values: number[]): Tensor {
  return { dtype: 'int32', dims, data: Int32Array.from(values) };
}

const outputNames = (op: string) => (op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h']);

function node(c: RecurrentCase): Node {
  const inputs = c.inputs.map((t, i) => (t ? INPUT_NAMES[i] : ''));
  while (inputs.length && inputs[inputs.length - 1] === '') inputs.pop();
  return { name: `${c.op.toLowerCase()}_under_test`, op: c.op, domain: '', inputs, outputs: outputNames(c.op), attrs: c.attrs };
}

export function runReference(c: RecurrentCase): Tensor[] {
  return runTable(recurrentKernels, c);
}

/** The node through `table` (a backend's kernel table). */
export function runTable(table: KernelTable, c: RecurrentCase): Tensor[] {
  const out = table[c.op](c.inputs, node(c), { opset: c.opset ?? 14 });
  return out.map((t) => t!);
}

function attrProto(name: string, a: Attr) {
  const enc = (s: string) => new TextEncoder().encode(s);
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case 'int': return { name, type: T.INT, i: a.value };
    case 'float': return { name, type: T.FLOAT, f: a.value };
    case 'string': return { name, type: T.STRING, s: enc(a.value) };
    case 'ints': return { name, type: T.INTS, ints: a.value };
    case 'floats': return { name, type: T.FLOATS, floats: a.value };
    case 'strings': return { name, type: T.STRINGS, strings: a.value.map(enc) };
    default: throw new Error(`attribute type ${a.type} not needed here`);
  }
}

const ELEM = { float32: 1, int32: 6 } as const;

function valueInfo(name: string, t: Tensor) {
  const elemType = ELEM[t.dtype as keyof typeof ELEM];
  return { name, type: { tensorType: { elemType, shape: { dim: t.dims.map((d) => ({ dimValue: d })) } } } };
}

export function modelBytes(c: RecurrentCase): Uint8Array {
  const n = node(c);
  const feeds = c.inputs.map((t, i) => (t ? valueInfo(INPUT_NAMES[i], t) : null)).filter((v) => v !== null);
  const graph = onnx.GraphProto.create({
    name: 'recurrent_case',
    node: [onnx.NodeProto.create({
      name: n.name, opType: n.op, input: n.inputs, output: n.outputs,
      attribute: Object.entries(c.attrs).map(([k, a]) => attrProto(k, a)),
    })],
    input: feeds,
    output: n.outputs.map((name) => ({ name, type: { tensorType: { elemType: 1 } } })),
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: c.opset ?? 14 }], graph });
  return onnx.ModelProto.encode(model).finish();
}

export async function runOrt(c: RecurrentCase): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(modelBytes(c));
  const feeds: Record<string, ort.Tensor> = {};
  c.inputs.forEach((t, i) => {
    if (t) feeds[INPUT_NAMES[i]] = new ort.Tensor(t.dtype as 'float32' | 'int32', t.data as Float32Array | Int32Array, t.dims);
  });
  const res = await session.run(feeds);
  return outputNames(c.op).map((name) => ({ dtype: 'float32', dims: [...res[name].dims], data: res[name].data as Float32Array }));
}

/** Runs both and returns the max |ref - ort| per output. */
export async function compareWithOrt(c: RecurrentCase): Promise<number[]> {
  const ref = runReference(c);
  const want = await runOrt(c);
  return want.map((w, i) => maxAbsDiff(ref[i], w));
}

export const attr = {
  int: (value: number): Attr => ({ type: 'int', value }),
  float: (value: number): Attr => ({ type: 'float', value }),
  str: (value: string): Attr => ({ type: 'string', value }),
  floats: (value: number[]): Attr => ({ type: 'floats', value }),
  strs: (value: string[]): Attr => ({ type: 'strings', value }),
};
