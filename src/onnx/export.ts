// IR -> ONNX bytes, and saving them (src/io/atomic.ts). Everything is written inline
// (initializers as raw_data, no external data): Rampart's models are edge-sized.
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import type { Attr, FunctionDef, Graph, Model, Node, ValueInfo } from '../../runtime/ir.ts';
import { onnxOpset } from '../../runtime/ir.ts';
import { dtypeToOnnx } from '../../runtime/onnx/dtypes.ts';
import { numberToLong } from '../../runtime/onnx/long.ts';
import { encodeTensor } from './encode-tensor.ts';
import { writeFileAtomic } from '../io/atomic.ts';

// Re-exported for the callers that import it from here; its one definition is src/io/atomic.ts.
export { writeFileAtomic };

const { onnx: P } = onnxProto;
const utf8 = new TextEncoder();

/**
 * The IR version written: at least 8 (model-local functions need it, and
 * initializers that are not graph inputs need >= 4), at least what the default
 * opset requires (onnx.helper.VERSION_TABLE), and never below what the model had.
 */
export function irVersionFor(model: Model): number {
  const opset = onnxOpset(model);
  const needed = opset >= 23 ? 11 : opset >= 21 ? 10 : opset >= 19 ? 9 : 8;
  return Math.max(model.irVersion, needed);
}

export function encodeModel(model: Model): Uint8Array {
  const mp: onnx.IModelProto = {
    irVersion: irVersionFor(model),
    opsetImport: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    graph: encodeGraph(model.graph),
    functions: model.functions.map(encodeFunction),
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
  };
  return P.ModelProto.encode(mp).finish();
}

/** Writes the model whole or not at all: a temp file in the same folder, then rename. */
export function saveModel(model: Model, path: string): void {
  const bytes = encodeModel(model);
  writeFileAtomic(path, bytes);
}

function encodeGraph(g: Graph): onnx.IGraphProto {
  const listed = new Set([...g.inputs, ...g.outputs].map((v) => v.name));
  return {
    name: g.name,
    node: g.nodes.map(encodeNode),
    initializer: Object.entries(g.initializers).map(([name, t]) => encodeTensor(name, t)),
    input: g.inputs.map(encodeValueInfo),
    output: g.outputs.map(encodeValueInfo),
    valueInfo: Object.values(g.valueInfo)
      .filter((v) => !listed.has(v.name) && !(v.name in g.initializers))
      .map(encodeValueInfo),
  };
}

function encodeValueInfo(v: ValueInfo): onnx.IValueInfoProto {
  const tensorType: onnx.TypeProto.ITensor = { elemType: dtypeToOnnx(v.dtype) };
  if (v.shape) {
    tensorType.shape = {
      dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})),
    };
  }
  return { name: v.name, type: { tensorType } };
}

function encodeNode(n: Node): onnx.INodeProto {
  const np: onnx.INodeProto = {
    input: n.inputs,
    output: n.outputs,
    name: n.name,
    opType: n.op,
    attribute: Object.entries(n.attrs).map(([name, a]) => encodeAttr(name, a)),
  };
  if (n.domain) np.domain = n.domain;
  return np;
}

const T = P.AttributeProto.AttributeType;

function encodeAttr(name: string, a: Attr): onnx.IAttributeProto {
  switch (a.type) {
    case 'float': return { name, type: T.FLOAT, f: a.value };
    case 'int': return { name, type: T.INT, i: numberToLong(a.value) as number };
    case 'string': return { name, type: T.STRING, s: utf8.encode(a.value) };
    case 'floats': return { name, type: T.FLOATS, floats: a.value };
    case 'ints': return { name, type: T.INTS, ints: a.value.map((x) => numberToLong(x) as number) };
    case 'strings': return { name, type: T.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case 'tensor': return { name, type: T.TENSOR, t: encodeTensor('', a.value) };
    case 'graph': return { name, type: T.GRAPH, g: encodeGraph(a.value) };
  }
}

function encodeFunction(f: FunctionDef): onnx.IFunctionProto {
  return {
    name: f.name,
    domain: f.domain,
    input: f.inputs,
    output: f.outputs,
    attribute: f.attributes,
    opsetImport: f.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    node: f.nodes.map(encodeNode),
  };
}
