// Front half of the C target: everything that can be known before emitting code.
//   1. Clone the model and fold each BatchNormalization into the Conv before it.
//   2. Bind every input dim (runtime/dims.ts): batch -> 1, sequence -> seqLen (or opts.dims).
//   3. Probe: run the bound graph once through the reference interpreter on zeros,
//      keeping every value. That gives the exact static shape of every tensor and the
//      value of every constant subgraph (PyTorch's Shape -> Gather -> Concat ->
//      ConstantOfShape zero-state chains) without re-implementing shape inference.
//   4. Constness: a value is a compile-time constant when it is an initializer, the
//      output of Shape (shapes are static now), or the output of a node whose inputs
//      are all constant. The remaining ("runtime") nodes are what the C code runs.
import type { DType, Dim, Model, Node, Tensor } from '../../runtime/ir.ts';
import { onnxOpset } from '../../runtime/ir.ts';
import { RampartError, withContext } from '../../runtime/errors.ts';
import { dimRole } from '../../runtime/dims.ts';
import { allocData, sizeOf } from '../../runtime/tensor.ts';
import { executeGraph } from '../../runtime/executor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { kernelKey } from '../../runtime/ops/types.ts';
import { attrFloat, attrInt } from '../../runtime/ops/attrs.ts';
import type { ResolvedOptions } from './options.ts';

export interface Prepared {
  model: Model;
  opset: number;
  file?: string;
  /** Static shape of every value (graph inputs, initializers, node outputs). */
  dims: Map<string, number[]>;
  /** Element type of every value the probe saw. */
  dtypes: Map<string, DType>;
  /** Compile-time values: initializers and folded constant subgraphs. */
  consts: Map<string, Tensor>;
  /** Nodes the C code runs, in graph order. */
  runtime: Node[];
  inputs: { name: string; dims: number[] }[];
  outputs: { name: string; dims: number[] }[];
  /** How each symbolic input dim was bound, e.g. { N: 1 }. */
  bound: Record<string, number>;
  /** BatchNormalization nodes folded into their Conv (node names). */
  folded: string[];
}

/** Binds a free dim by runtime/dims.ts's rule: the batch to 1 (the C code runs batch 1), a sequence to seqLen. */
function bindDim(d: Dim, axis: number, opts: ResolvedOptions, bound: Record<string, number>, guessed: string[]): number {
  if (typeof d === 'number' && d >= 1) return d;
  // Unknown dims (null, 0, -1) are named by their axis.
  const key = typeof d === 'string' ? d : `?${axis}`;
  if (typeof d === 'string' && d in opts.dims) return (bound[key] = opts.dims[d]);
  if (dimRole(d, axis) === 'batch') return (bound[key] = 1);
  if (!guessed.includes(key)) guessed.push(key);
  return (bound[key] = opts.seqLen);
}

/** Refuses a node the probe could not run, with the C target's wording. */
export function unsupported(node: Node, file: string | undefined, why = 'is not supported by the C target'): RampartError {
  const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}::${node.op}` : node.op;
  return new RampartError(`op ${op} ${why}`, {
    file, node: node.name, op: node.op,
    expected: 'an op of docs/design/c-target.md "Supported ops" (a dense or pruned ONNX model, not an onnx-csr one)',
  });
}

/**
 * `inputDims` replaces the binding of named graph inputs (the streaming program binds
 * the time axis to 1).
 */
export function prepare(src: Model, opts: ResolvedOptions, inputDims: Record<string, number[]> = {}): Prepared {
  const model: Model = structuredClone(src);
  const file = opts.file;
  const opset = onnxOpset(model);
  for (const node of model.graph.nodes) {
    if (!referenceKernels[kernelKey(node.domain, node.op)]) throw unsupported(node, file);
  }
  const folded = foldBatchNorms(model);
  const bound: Record<string, number> = {};
  const guessed: string[] = [];
  const feeds: Record<string, Tensor> = {};
  for (const inp of model.graph.inputs) {
    if (inp.dtype !== 'float32') {
      throw new RampartError(`graph input '${inp.name}' has dtype ${inp.dtype}`, { file, expected: 'float32 inputs (the C API takes float arrays)' });
    }
    if (inp.shape === null) throw new RampartError(`graph input '${inp.name}' has no shape`, { file, expected: 'a ranked input' });
    const dims = inputDims[inp.name] ?? inp.shape.map((d, i) => bindDim(d, i, opts, bound, guessed));
    inp.shape = dims;
    feeds[inp.name] = { dtype: 'float32', dims, data: allocData('float32', sizeOf(dims)) };
  }
  // Keep what someone reads: kernels may leave an unread optional output undefined.
  const read = new Set<string>(model.graph.nodes.flatMap((n) => n.inputs));
  const keep = model.graph.nodes.flatMap((n) => n.outputs.filter((o) => o !== '' && read.has(o)));
  let values: Record<string, Tensor>;
  try {
    values = executeGraph(model.graph, feeds, referenceKernels, { functions: model.functions, ctx: { opset, file }, keep });
  } catch (e) {
    if (!(e instanceof RampartError)) throw e;
    // An inner error keeps its own `expected`; a guessed sequence length is then the likely cause.
    const why = guessed.length ? `; symbolic dims ${guessed.join(', ')} were bound to ${opts.seqLen} (seqLen, --seq-len on the CLI)` : '';
    const err = withContext(why ? new RampartError(e.detail + why, e.context, { cause: e.cause }) : e,
      { file, expected: `a model that runs with its inputs bound to ${describeBound(bound)}` });
    err.stack = e.stack;
    throw err;
  }

  const dims = new Map<string, number[]>();
  const dtypes = new Map<string, DType>();
  const consts = new Map<string, Tensor>();
  for (const [k, t] of Object.entries(model.graph.initializers)) consts.set(k, t);
  for (const [k, t] of [...Object.entries(model.graph.initializers), ...Object.entries(feeds), ...Object.entries(values)]) {
    dims.set(k, t.dims.slice());
    dtypes.set(k, t.dtype);
  }
  const runtime: Node[] = [];
  for (const node of model.graph.nodes) {
    const isConst = node.op === 'Shape' || node.inputs.every((x) => x === '' || consts.has(x));
    if (isConst) {
      for (const o of node.outputs) if (o && values[o]) consts.set(o, values[o]);
    } else {
      runtime.push(node);
    }
  }
  return {
    model, opset, file, dims, dtypes, consts, runtime, bound, folded,
    inputs: model.graph.inputs.map((i) => ({ name: i.name, dims: dims.get(i.name)! })),
    outputs: model.graph.outputs.map((o) => {
      const d = dims.get(o.name);
      if (!d) throw new RampartError(`graph output '${o.name}' is never computed`, { file });
      return { name: o.name, dims: d };
    }),
  };
}

export function describeBound(bound: Record<string, number>): string {
  const e = Object.entries(bound);
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(', ') : 'their static shapes';
}

/**
 * Conv -> BatchNormalization (inference) becomes one Conv with scaled weights:
 *   s = scale / sqrt(var + eps);  W'[o] = W[o] * s[o];  B'[o] = (B[o] - mean[o]) * s[o] + beta[o].
 * Only when the Conv output feeds the BN alone and every parameter is an initializer;
 * anything else stays a BatchNormalization node (emitted as a per-channel affine).
 * A pruned weight stays exactly as sparse: zeros scale to zeros.
 */
function foldBatchNorms(model: Model): string[] {
  const g = model.graph;
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const x of n.inputs) if (x) uses.set(x, (uses.get(x) ?? 0) + 1);
  for (const o of g.outputs) uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const init = (name: string | undefined) => (name ? g.initializers[name] : undefined);
  const folded: string[] = [];
  const removed = new Set<Node>();
  for (const bn of g.nodes) {
    if (bn.op !== 'BatchNormalization' || (bn.domain !== '' && bn.domain !== 'ai.onnx')) continue;
    const conv = producer.get(bn.inputs[0]);
    if (!conv || conv.op !== 'Conv' || uses.get(bn.inputs[0]) !== 1) continue;
    if (bn.outputs.slice(1).some((o) => o !== '') || attrInt(bn, 'training_mode', 0) !== 0 || attrInt(bn, 'spatial', 1) !== 1) continue;
    const W = init(conv.inputs[1]);
    const B = conv.inputs[2] ? init(conv.inputs[2]) : undefined;
    const params = bn.inputs.slice(1, 5).map(init);
    if (!W || W.dtype !== 'float32' || (conv.inputs[2] && !B) || params.some((p) => !p || p.dtype !== 'float32')) continue;
    const [scale, beta, mean, variance] = params.map((p) => p!.data as Float32Array);
    const M = W.dims[0];
    if ([scale, beta, mean, variance].some((p) => p.length !== M)) continue;
    const eps = attrFloat(bn, 'epsilon', 1e-5);
    const per = sizeOf(W.dims) / M;
    const w = new Float32Array(W.data as Float32Array);
    const b = new Float32Array(M);
    for (let o = 0; o < M; o++) {
      const s = scale[o] / Math.sqrt(variance[o] + eps);
      for (let k = 0; k < per; k++) w[o * per + k] = w[o * per + k] * s;
      b[o] = ((B ? (B.data as Float32Array)[o] : 0) - mean[o]) * s + beta[o];
    }
    const wName = fresh(g.initializers, `${conv.inputs[1]}::bn_folded`);
    g.initializers[wName] = { dtype: 'float32', dims: W.dims.slice(), data: w };
    const bName = fresh(g.initializers, `${conv.name}::bias_bn_folded`);
    g.initializers[bName] = { dtype: 'float32', dims: [M], data: b };
    conv.inputs = [conv.inputs[0], wName, bName];
    conv.outputs = [bn.outputs[0]];
    removed.add(bn);
    folded.push(bn.name);
  }
  g.nodes = g.nodes.filter((n) => !removed.has(n));
  return folded;
}

function fresh(taken: Record<string, unknown>, base: string): string {
  let name = base;
  for (let i = 1; name in taken; i++) name = `${base}${i}`;
  return name;
}
