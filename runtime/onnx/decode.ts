// ONNX bytes -> the plain-data IR (runtime/ir.ts). No file system here: the
// runtime decodes from bytes too; src/onnx/import.ts adds files and external data.
//
// Normalisation at import (see docs/design/onnx-io.md): Constant nodes become
// initializers, Identity-of-initializer chains are resolved, sparse initializers
// are densified, graph inputs that are initializers are dropped from the inputs,
// and every node gets a unique name.
import onnxProto from 'onnx-proto';
import type { Attr, FunctionDef, Graph, Model, Node, Tensor, ValueInfo } from '../ir.ts';
import { RampartError, withContext } from '../errors.ts';
import { defaultMemoryLimit, MemoryBudget, withBudget } from '../limits.ts';
import { isFloat } from '../tensor.ts';
import { dtypeFromOnnx } from './dtypes.ts';
import { longToNumber, type LongLike } from './long.ts';
import { decodeSparseTensor, decodeTensor, type TensorDecodeOptions } from './tensor.ts';
import { normaliseGraph } from './normalise.ts';

const { onnx } = onnxProto;
type P = typeof onnxProto.onnx;
type IGraph = ReturnType<P['GraphProto']['decode']>;
type INode = ReturnType<P['NodeProto']['decode']>;
type IAttr = ReturnType<P['AttributeProto']['decode']>;
type IValueInfo = ReturnType<P['ValueInfoProto']['decode']>;
type IFunction = ReturnType<P['FunctionProto']['decode']>;

export interface DecodeOptions extends TensorDecodeOptions {
  /** Accept NaN/Inf in float initializers (refused by default: a NaN weight is a broken export). */
  allowNonFinite?: boolean;
  /** Bytes the model's tensors may take in all (runtime/limits.ts; default its default limit). */
  maxMemory?: number;
}

interface Ctx extends DecodeOptions {
  /** Where in the model we are, for messages ("graph 'main'", "function 'f'"). */
  where: string;
  /** How many graph attributes enclose this graph. */
  depth: number;
}

/**
 * Names the IR keeps as keys of plain objects (initializers, value_info, attributes)
 * and that kernel tables are looked up by (op types). A name that is already a member
 * of every JavaScript object (`constructor`, `toString`, `__proto__`, ...) would find
 * that member instead of the model's own entry, or replace the record's prototype.
 * No real model uses one; a file that does is refused here, before anything indexes
 * by it.
 */
const RESERVED = new Set(Object.getOwnPropertyNames(Object.prototype));

function checkName(name: string, what: string, c: Ctx): string {
  if (RESERVED.has(name)) {
    throw new RampartError(`${c.where}: ${what} is named '${name}', a name JavaScript objects reserve`, {
      file: c.file, expected: 'names other than the members of Object.prototype',
    });
  }
  return name;
}

const checkNames = (names: string[], what: string, c: Ctx): string[] => names.map((n) => checkName(n, what, c));

/** Subgraphs (If/Loop/Scan bodies) nest a few levels in real models; a file nesting thousands would overflow the stack. */
const MAX_GRAPH_DEPTH = 32;

const utf8 = new TextDecoder('utf-8');

export function decodeModel(bytes: Uint8Array, opts: DecodeOptions = {}): Model {
  const file = opts.file;
  let mp: ReturnType<P['ModelProto']['decode']>;
  try {
    mp = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new RampartError(`not a valid ONNX model: ${(e as Error).message} (truncated or not an ONNX file?)`, { file }, { cause: e });
  }
  if (!mp.graph) {
    throw new RampartError('not a valid ONNX model: it has no graph (truncated or not an ONNX file?)', { file });
  }
  if (!mp.opsetImport?.length) {
    throw new RampartError('not a valid ONNX model: it imports no opset (truncated, or not an ONNX file?)', { file });
  }
  const budget = new MemoryBudget(opts.maxMemory ?? defaultMemoryLimit());
  try {
    const ctx: Ctx = { ...opts, where: 'graph', depth: 0 };
    const model: Model = withBudget(budget, () => ({
      irVersion: longToNumber(mp.irVersion as number | LongLike),
      opsetImports: (mp.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: longToNumber(o.version as number | LongLike) })),
      producerName: mp.producerName ?? '',
      producerVersion: mp.producerVersion ?? '',
      graph: decodeGraph(mp.graph as IGraph, ctx),
      functions: (mp.functions ?? []).map((f) => decodeFunction(f as IFunction, ctx)),
      metadata: Object.fromEntries((mp.metadataProps ?? []).map((e) => [e.key ?? '', e.value ?? ''])),
    }));
    return model;
  } catch (e) {
    // Only bad input is decorated; anything else is a bug in this decoder and stays one.
    throw withContext(e, { file });
  }
}

function decodeGraph(gp: IGraph, c: Ctx): Graph {
  const name = gp.name ?? '';
  const ctx: Ctx = { ...c, where: name ? `graph '${name}'` : c.where };
  const initializers: Record<string, Tensor> = {};
  const addInit = (n: string, t: Tensor) => {
    if (!n) throw new RampartError(`${ctx.where} has an initializer without a name`, { file: c.file });
    checkName(n, 'an initializer', ctx);
    if (n in initializers) throw new RampartError(`${ctx.where} has two initializers named '${n}'`, { file: c.file });
    if (!c.allowNonFinite) checkFinite(n, t, c.file);
    initializers[n] = t;
  };
  for (const tp of gp.initializer ?? []) addInit(tp.name ?? '', decodeTensor(tp, `initializer '${tp.name ?? ''}'`, c));
  for (const sp of gp.sparseInitializer ?? []) {
    const n = sp.values?.name ?? '';
    addInit(n, decodeSparseTensor(sp, `sparse initializer '${n}'`, c));
  }
  // Before IR 4 every initializer also had to be listed as a graph input; those
  // are constants, not values a caller feeds.
  const inputs = (gp.input ?? [])
    .filter((vi) => !((vi.name ?? '') in initializers))
    .map((vi) => decodeValueInfo(vi as IValueInfo, 'graph input', ctx, true) as ValueInfo);
  const outputs = (gp.output ?? []).map((vi) => decodeValueInfo(vi as IValueInfo, 'graph output', ctx, true) as ValueInfo);
  const valueInfo: Record<string, ValueInfo> = {};
  for (const vi of gp.valueInfo ?? []) {
    const v = decodeValueInfo(vi as IValueInfo, 'value_info', ctx, false);
    if (v) valueInfo[v.name] = v;
  }
  const nodes = (gp.node ?? []).map((np) => decodeNode(np as INode, ctx));
  const graph: Graph = { name, inputs, outputs, initializers, nodes, valueInfo };
  normaliseGraph(graph, c.file);
  return graph;
}

function checkFinite(name: string, t: Tensor, file?: string): void {
  if (!isFloat(t.dtype)) return;
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      throw new RampartError(`initializer '${name}' contains ${d[i]} at flat index ${i}`, {
        file, expected: 'finite weights (a NaN/Inf weight usually means a broken export; pass allowNonFinite to accept it)',
      });
    }
  }
}

function decodeValueInfo(vi: IValueInfo, what: string, c: Ctx, required: boolean): ValueInfo | null {
  const name = checkName(vi.name ?? '', `a ${what}`, c);
  const tt = vi.type?.tensorType;
  if (!tt) {
    if (!required) return null;
    const kind = vi.type?.sequenceType ? 'a sequence type' : vi.type?.mapType ? 'a map type' : vi.type ? 'a non-tensor type' : 'no type';
    throw new RampartError(`${what} '${name}' has ${kind}`, { file: c.file, expected: 'a tensor type' });
  }
  if (!required && !tt.elemType) return null;
  const dtype = dtypeFromOnnx(tt.elemType ?? 0, `${what} '${name}'`, { file: c.file });
  const shape = tt.shape
    ? (tt.shape.dim ?? []).map((d) => {
      if (has(d, 'dimValue') && d.dimValue != null) return longToNumber(d.dimValue as number | LongLike);
      if (d.dimParam) return d.dimParam;
      return null;
    })
    : null;
  return { name, dtype, shape };
}

function decodeNode(np: INode, c: Ctx): Node {
  const op = checkName(np.opType ?? '', 'an op type', c);
  const name = checkName(np.name ?? '', 'a node', c);
  if (!op) throw new RampartError(`${c.where} has a node without an op type${name ? ` ('${name}')` : ''}`, { file: c.file });
  const attrs: Record<string, Attr> = {};
  for (const ap of np.attribute ?? []) {
    try {
      attrs[checkName(ap.name ?? '', 'an attribute', c)] = decodeAttr(ap as IAttr, c);
    } catch (e) {
      throw withContext(e, { file: c.file, node: name || undefined, op });
    }
  }
  const domain = checkName(np.domain === 'ai.onnx' ? '' : np.domain ?? '', 'a domain', c);
  return { name, op, domain, inputs: checkNames(np.input ?? [], 'a node input', c), outputs: checkNames(np.output ?? [], 'a node output', c), attrs };
}

// AttributeProto.AttributeType
const A = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14 };
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function decodeAttr(ap: IAttr, c: Ctx): Attr {
  const name = ap.name ?? '';
  if (ap.refAttrName) {
    throw new RampartError(`attribute '${name}' refers to the function attribute '${ap.refAttrName}'; attribute references are not supported`, { file: c.file });
  }
  let type = ap.type ?? 0;
  if (type === 0) type = guessAttrType(ap); // IR < 0.0.2 writers left the type out
  const what = `attribute '${name}'`;
  switch (type) {
    case A.FLOAT: return { type: 'float', value: ap.f ?? 0 };
    case A.INT: return { type: 'int', value: longToNumber(ap.i as number | LongLike) };
    case A.STRING: return { type: 'string', value: utf8.decode(ap.s ?? new Uint8Array()) };
    case A.FLOATS: return { type: 'floats', value: (ap.floats ?? []).slice() };
    case A.INTS: return { type: 'ints', value: (ap.ints ?? []).map((x) => longToNumber(x as number | LongLike)) };
    case A.STRINGS: return { type: 'strings', value: (ap.strings ?? []).map((b) => utf8.decode(b)) };
    case A.TENSOR:
      if (!ap.t) throw new RampartError(`${what} is a tensor attribute without a tensor`, { file: c.file });
      return { type: 'tensor', value: decodeTensor(ap.t, what, c) };
    case A.SPARSE_TENSOR:
      if (!ap.sparseTensor) throw new RampartError(`${what} is a sparse tensor attribute without a tensor`, { file: c.file });
      return { type: 'tensor', value: decodeSparseTensor(ap.sparseTensor, what, c) };
    case A.GRAPH:
      if (!ap.g) throw new RampartError(`${what} is a graph attribute without a graph`, { file: c.file });
      if (c.depth >= MAX_GRAPH_DEPTH) throw new RampartError(`${what}: subgraphs nest deeper than ${MAX_GRAPH_DEPTH} levels`, { file: c.file });
      return { type: 'graph', value: decodeGraph(ap.g as IGraph, { ...c, where: `subgraph ${what}`, depth: c.depth + 1 }) };
  }
  const names: Record<number, string> = { 9: 'TENSORS', 10: 'GRAPHS', 12: 'SPARSE_TENSORS', 13: 'TYPE_PROTO', 14: 'TYPE_PROTOS' };
  throw new RampartError(`${what} has type ${names[type] ?? `code ${type}`}, which Rampart does not support`, {
    file: c.file, expected: 'int, float, string, tensor, graph or a list of ints/floats/strings',
  });
}

function guessAttrType(ap: IAttr): number {
  if (has(ap, 'f')) return A.FLOAT;
  if (has(ap, 'i')) return A.INT;
  if (has(ap, 's')) return A.STRING;
  if (has(ap, 't')) return A.TENSOR;
  if (has(ap, 'g')) return A.GRAPH;
  if (ap.floats?.length) return A.FLOATS;
  if (ap.ints?.length) return A.INTS;
  if (ap.strings?.length) return A.STRINGS;
  return 0;
}

function decodeFunction(fp: IFunction, c: Ctx): FunctionDef {
  const name = fp.name ?? '';
  const fc: Ctx = { ...c, where: `function '${name}'` };
  checkName(name, 'a function', fc);
  return {
    name,
    domain: checkName(fp.domain ?? '', 'a domain', fc),
    inputs: checkNames(fp.input ?? [], 'a function input', fc),
    outputs: checkNames(fp.output ?? [], 'a function output', fc),
    attributes: checkNames(fp.attribute ?? [], 'a function attribute', fc),
    opsetImports: (fp.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: longToNumber(o.version as number | LongLike) })),
    // A function body is a template: its Constant nodes stay nodes (a function has no initializers).
    nodes: (fp.node ?? []).map((np) => decodeNode(np as INode, fc)),
  };
}
