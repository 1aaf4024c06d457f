// Hand-built ONNX protos for tests: each test states the bytes it feeds the
// decoder, so the expected IR comes from the test, not from the code under test.
import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';

export const { onnx } = onnxProto;
export type TP = O.ITensorProto;

export const vi = (name: string, elemType: number, dims: (number | string | null)[] | null): O.IValueInfoProto => ({
  name,
  type: {
    tensorType: {
      elemType,
      shape: dims === null ? undefined : { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) },
    },
  },
});

export const node = (op: string, inputs: string[], outputs: string[], attrs: O.IAttributeProto[] = [], name = ''): O.INodeProto =>
  ({ opType: op, input: inputs, output: outputs, attribute: attrs, name });

export const f32raw = (xs: number[]): Uint8Array => new Uint8Array(Float32Array.from(xs).buffer);

export function modelBytes(graph: O.IGraphProto, extra: Partial<O.IModelProto> = {}): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'rampart-test',
    graph: { name: 'g', ...graph },
    ...extra,
  }).finish();
}

/** A graph y = op(x, W) around a list of initializers; handy for decode tests. */
export function withInits(inits: TP[], nodes: O.INodeProto[] = [], outputs: O.IValueInfoProto[] = []): Uint8Array {
  return modelBytes({ initializer: inits, node: nodes, output: outputs });
}
