// Shape inference over the supported ops, with symbolic dimensions: a batch
// dimension named 'N' in the model's input stays 'N' through the graph. Fills
// graph.valueInfo for every intermediate it can, refines graph outputs' unknown
// dims, and throws a RampartError (naming node, op, expected shape) for a
// mismatch it can prove. An op it does not know leaves its outputs unknown.
import type { DType, Dim, Graph, Model, Node, ValueInfo } from '../../runtime/ir.ts';
import { onnxOpset } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { shapeString } from '../../runtime/tensor.ts';
import { mergeDim } from './shape-rules/dims.ts';
import * as el from './shape-rules/elementwise.ts';
import { Gemm, MatMul } from './shape-rules/linear.ts';
import { recurrent } from './shape-rules/recurrent.ts';
import * as sg from './shape-rules/slice-gather.ts';
import * as t from './shape-rules/tensor-ops.ts';
import type { InferCtx, Known, ShapeRule } from './shape-rules/types.ts';
import { AveragePool, BatchNormalization, Conv, GlobalAveragePool, MaxPool } from './shape-rules/window.ts';
import { Expand, sameShape, Where } from './shape-rules/broadcast-ops.ts';
import { LayerNormalization, ReduceMean } from './shape-rules/reduce-norm.ts';
import { Resize } from './shape-rules/resize.ts';

/** One rule per supported ai.onnx op (runtime/ops/groups.ts SUPPORTED_OPS). */
export const SHAPE_RULES: Record<string, ShapeRule> = {
  Gemm, MatMul, Conv, LSTM: recurrent, GRU: recurrent, RNN: recurrent,
  Add: el.binary, Sub: el.binary, Mul: el.binary, Div: el.binary,
  Relu: el.same, LeakyRelu: el.same, Sigmoid: el.same, HardSigmoid: el.same, Tanh: el.same, Clip: el.same, Identity: el.same,
  Softmax: el.same, LogSoftmax: el.same, Dropout: el.Dropout, Cast: el.Cast,
  Flatten: t.Flatten, Reshape: t.Reshape, Transpose: t.Transpose, Squeeze: t.Squeeze, Unsqueeze: t.Unsqueeze,
  Concat: t.Concat, Pad: t.Pad, Slice: sg.Slice, Gather: sg.Gather, Shape: sg.Shape, ConstantOfShape: sg.ConstantOfShape, Constant: sg.Constant,
  MaxPool, AveragePool, GlobalAveragePool, BatchNormalization,
  HardSwish: el.same, Erf: el.same, Where, Expand, ReduceMean, LayerNormalization, Resize,
  ScatterElements: sameShape, Scatter: sameShape, ScatterND: sameShape, CumSum: sameShape,
};

export function inferShapes(model: Model, file?: string): void {
  inferGraph(model.graph, onnxOpset(model), file);
}

function inferGraph(g: Graph, opset: number, file?: string): void {
  const known = new Map<string, Known>();
  for (const [name, init] of Object.entries(g.initializers)) known.set(name, sg.knownOf(init.dtype, init.dims, init.data as ArrayLike<number>));
  for (const v of g.inputs) known.set(v.name, { dtype: v.dtype, shape: v.shape && v.shape.slice() });
  const outputIndex = new Map(g.outputs.map((v, i) => [v.name, i]));

  for (const node of g.nodes) {
    const rule = node.domain === '' ? SHAPE_RULES[node.op] : undefined;
    const inferred = rule ? rule(ctxFor(node, opset, known, file)) : [];
    node.outputs.forEach((name, k) => {
      if (!name) return;
      const oi = outputIndex.get(name);
      const declared = oi !== undefined ? g.outputs[oi] : g.valueInfo[name];
      const merged = merge(inferred[k], declared);
      if (!merged) return;
      known.set(name, merged);
      if (oi !== undefined) {
        // A graph output keeps its declared dtype; inference only fills in dims.
        g.outputs[oi] = { name, dtype: declared!.dtype, shape: merged.shape };
      } else {
        g.valueInfo[name] = { name, dtype: merged.dtype, shape: merged.shape && merged.shape.slice() };
      }
    });
  }
}

function ctxFor(node: Node, opset: number, known: Map<string, Known>, file?: string): InferCtx {
  const get = (i: number) => (node.inputs[i] ? known.get(node.inputs[i]) : undefined);
  return {
    node,
    opset,
    input: get,
    value: (i) => get(i)?.value,
    fail: (message, expected) => {
      throw new RampartError(`shape mismatch: ${message}`, { file, node: node.name, op: node.op, expected });
    },
  };
}

/** Inferred facts win; a declared (file) dim fills what inference left unknown. */
function merge(inf: Known | undefined, dec: ValueInfo | undefined): Known | undefined {
  if (!inf) return dec ? { dtype: dec.dtype, shape: dec.shape && dec.shape.slice() } : undefined;
  if (!dec?.shape || !inf.shape) return { ...inf, shape: inf.shape ?? (dec?.shape ? dec.shape.slice() : null) };
  if (dec.shape.length !== inf.shape.length) return inf;
  return { ...inf, shape: inf.shape.map((d, i) => (d === null || (typeof d === 'string' && typeof dec.shape![i] === 'number') ? mergeDim(dec.shape![i], d) : d)) };
}

export interface FeedInfo {
  dtype: DType;
  dims: readonly number[];
}

/**
 * Checks one user tensor against the model input it feeds: name, dtype, rank and
 * every fixed dimension. Symbolic dims accept any size (checkFeeds also checks that
 * one symbol gets one size across all inputs).
 */
export function checkInputShape(model: Model, name: string, dims: readonly number[], dtype?: DType): void {
  bindInput(model, name, { dtype: dtype ?? inputOf(model, name).dtype, dims }, new Map());
}

/** Checks a whole feed: every input present, none unknown, symbols bound consistently. */
export function checkFeeds(model: Model, feeds: Record<string, FeedInfo>): void {
  const bound = new Map<string, { size: number; input: string }>();
  for (const v of model.graph.inputs) {
    if (!(v.name in feeds)) {
      throw new RampartError(`input '${v.name}' was not given`, { expected: `a ${v.dtype} tensor of shape ${v.shape ? shapeString(v.shape) : '(any)'}` });
    }
  }
  for (const [name, f] of Object.entries(feeds)) bindInput(model, name, f, bound);
}

function inputOf(model: Model, name: string): ValueInfo {
  const v = model.graph.inputs.find((i) => i.name === name);
  if (!v) {
    throw new RampartError(`the model has no input '${name}'`, {
      expected: `one of ${model.graph.inputs.map((i) => `'${i.name}'`).join(', ') || '(no inputs)'}`,
    });
  }
  return v;
}

function bindInput(model: Model, name: string, f: FeedInfo, bound: Map<string, { size: number; input: string }>): void {
  const v = inputOf(model, name);
  const want = v.shape ? shapeString(v.shape) : '(any shape)';
  const expected = `a ${v.dtype} tensor of shape ${want}`;
  const got = `${f.dtype} ${shapeString(f.dims as Dim[])}`;
  if (f.dtype !== v.dtype) throw new RampartError(`input '${name}' is ${got}`, { expected });
  if (!v.shape) return;
  if (f.dims.length !== v.shape.length) {
    throw new RampartError(`input '${name}' is ${got}, rank ${f.dims.length} instead of ${v.shape.length}`, { expected });
  }
  v.shape.forEach((d, i) => {
    const n = f.dims[i];
    if (!Number.isInteger(n) || n < 0) throw new RampartError(`input '${name}' has invalid size ${n} on axis ${i}`, { expected });
    if (typeof d === 'number' && d !== n) {
      throw new RampartError(`input '${name}' is ${got}: axis ${i} has size ${n}, not ${d}`, { expected });
    }
    if (typeof d === 'string') {
      const b = bound.get(d);
      if (b && b.size !== n) {
        throw new RampartError(`input '${name}' sets '${d}' = ${n} on axis ${i}, but input '${b.input}' set it to ${b.size}`, { expected });
      }
      bound.set(d, { size: n, input: name });
    }
  });
}
