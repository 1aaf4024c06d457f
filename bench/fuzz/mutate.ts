// Seeded mutations of ONNX files for the fuzz bench (bench/fuzz.ts). Mutant i of a
// run is a pure function of (seed, i): the same file comes out on every machine, so
// any finding can be rebuilt with `npm run bench -- fuzz --only i`.
//
// Two kinds: byte-level (flips, truncation, insertions: the decoder's framing and
// field parsing) and protobuf-aware (decode, change one meaningful field, re-encode:
// dims, attributes, op types, data lengths and types, external-data locations,
// names, opsets, functions). The protobuf kind reaches past the decoder into the
// validator, shape inference, the kernels and the CLI.
import onnxProto from 'onnx-proto';
import { mulberry32 } from '../../src/util/random.ts';

const { onnx } = onnxProto;
type IModel = ReturnType<typeof onnx.ModelProto.decode>;
type ITensor = InstanceType<typeof onnx.TensorProto>;
type INode = InstanceType<typeof onnx.NodeProto>;
type IGraph = InstanceType<typeof onnx.GraphProto>;

export interface Rand {
  (): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function makeRand(seed: number, index: number): Rand {
  // Mix seed and index so neighbouring mutants draw unrelated streams.
  const next = mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
  const r = (() => next()) as Rand;
  r.int = (n) => Math.floor(next() * n);
  r.pick = (xs) => xs[Math.floor(next() * xs.length)];
  r.chance = (p) => next() < p;
  return r;
}

/** Files a mutant needs beside it (external data), by name relative to the model's folder. */
export interface Mutant { bytes: Uint8Array; sidecars: Record<string, Uint8Array>; kinds: string[] }

const OPS = [
  'Gemm', 'MatMul', 'Conv', 'LSTM', 'GRU', 'RNN', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Sigmoid', 'Tanh', 'Softmax',
  'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Concat', 'Slice', 'Gather', 'Shape', 'ConstantOfShape', 'Constant',
  'Pad', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization', 'Flatten', 'Identity', 'Cast', 'Clip',
  'Expand', 'Where', 'Resize', 'ReduceMean', 'LayerNormalization', 'NoSuchOp', 'If', 'Loop',
];
const NASTY = ['', 'x', '__proto__', 'constructor', 'toString', 'a\nb', '\u001b[2J\u001b[31mred', '../../etc/passwd', 'ünïcödé', '\u202eevil'];
const BIG = [0, -1, 1, 2, 3, 7, 28, 1e6, 2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 53, -(2 ** 31), 100001, 65536];

const dimsOf = (t: ITensor) => (t.dims ?? []).map(Number);

function allTensors(g: IGraph): ITensor[] {
  const out: ITensor[] = [...(g.initializer ?? [])] as ITensor[];
  for (const n of g.node ?? []) for (const a of n.attribute ?? []) if (a.t) out.push(a.t as ITensor);
  return out;
}

function allNodes(m: IModel): INode[] {
  const out: INode[] = [];
  const walk = (g: IGraph) => {
    for (const n of g.node ?? []) {
      out.push(n as INode);
      for (const a of n.attribute ?? []) if (a.g) walk(a.g as IGraph);
    }
  };
  if (m.graph) walk(m.graph as IGraph);
  for (const f of m.functions ?? []) for (const n of f.node ?? []) out.push(n as INode);
  return out;
}

function valueNames(g: IGraph): string[] {
  const s = new Set<string>();
  for (const t of g.initializer ?? []) s.add(t.name ?? '');
  for (const v of [...(g.input ?? []), ...(g.output ?? [])]) s.add(v.name ?? '');
  for (const n of g.node ?? []) for (const x of [...(n.input ?? []), ...(n.output ?? [])]) s.add(x);
  return [...s].filter(Boolean);
}

/** A raw little-endian byte view of `n` int64 values (dims-sized int tensors). */
function int64Raw(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setBigInt64(i * 8, BigInt(Math.trunc(Math.max(-(2 ** 63), Math.min(2 ** 63 - 1, x)))), true));
  return b;
}

type ProtoMutation = (m: IModel, r: Rand, side: Record<string, Uint8Array>) => string | null;

const PROTO: ProtoMutation[] = [
  function tensorDims(m, r) {
    const ts = allTensors(m.graph as IGraph);
    if (!ts.length) return null;
    const t = r.pick(ts);
    const d = dimsOf(t);
    const n = d.reduce((a, b) => a * b, 1);
    switch (r.int(5)) {
      case 0: if (d.length) d[r.int(d.length)] = r.pick(BIG); break;
      case 1: t.dims = n > 0 ? [1, n] : [0]; return 'dims-refactor';
      case 2: d.push(r.pick([1, 2, 0])); break;
      case 3: d.reverse(); break;
      default: d.splice(r.int(d.length + 1), 1);
    }
    t.dims = d;
    return 'dims';
  },
  function intValues(m, r) {
    // The int64 tensors that are shapes, pads, axes: ConstantOfShape of [2^31] and friends.
    const ints = allTensors(m.graph as IGraph).filter((t) => t.dataType === 7 && dimsOf(t).length <= 1);
    if (!ints.length) return null;
    const t = r.pick(ints);
    const len = r.chance(0.1) ? r.pick([0, 1, 5, 100001]) : Math.max(1, dimsOf(t)[0] ?? 1);
    const vals = Array.from({ length: len }, () => (r.chance(0.5) ? r.pick(BIG) : r.int(64) - 8));
    t.dims = dimsOf(t).length === 0 && len === 1 ? [] : [len];
    t.int64Data = [];
    t.rawData = int64Raw(vals);
    return 'int-values';
  },
  function valueInfoDims(m, r) {
    const g = m.graph as IGraph;
    const vis = [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])];
    const dims = vis.flatMap((v) => v.type?.tensorType?.shape?.dim ?? []);
    if (!dims.length) return null;
    const d = r.pick(dims);
    if (r.chance(0.7)) { d.dimValue = r.pick(BIG); d.dimParam = ''; } else { d.dimParam = r.pick(['N', 'T', 'batch', 'seq', 'unk__1', '']); d.dimValue = null as unknown as number; }
    return 'value-info-dims';
  },
  function attribute(m, r) {
    const nodes = allNodes(m).filter((n) => n.attribute?.length);
    if (!nodes.length) return null;
    const n = r.pick(nodes);
    const a = r.pick(n.attribute!);
    switch (r.int(8)) {
      case 0: a.i = r.pick(BIG); break;
      case 1: a.ints = Array.from({ length: r.pick([0, 1, 2, 3, 4, 8, 100001]) }, () => (r.chance(0.5) ? r.pick(BIG) : r.int(8) - 2)); break;
      case 2: a.f = r.pick([NaN, Infinity, -Infinity, -1, 0, 1e30]); break;
      case 3: a.s = new TextEncoder().encode(r.pick([...NASTY, 'bidirectional', 'reverse', 'SAME_UPPER', 'VALID', 'wrap', 'reflect', 'Relu'])); break;
      case 4: a.type = r.int(16); break;
      case 5: a.name = r.pick([...NASTY, 'axes', 'perm', 'hidden_size', 'direction', 'pads', 'kernel_shape', 'strides', 'group', 'to', 'axis', 'value']); break;
      case 6: n.attribute!.splice(n.attribute!.indexOf(a), 1); break;
      default: a.floats = [NaN, 1e30, -1];
    }
    return 'attribute';
  },
  function opType(m, r) {
    const nodes = allNodes(m);
    if (!nodes.length) return null;
    const n = r.pick(nodes);
    if (r.chance(0.15)) n.domain = r.pick(['ai.rampart', 'com.microsoft', 'ai.onnx', 'x\u001b[1m', 'ai.onnx.ml']);
    else n.opType = r.chance(0.1) ? r.pick(NASTY) : r.pick(OPS);
    return 'op-type';
  },
  function dataLength(m, r) {
    const ts = allTensors(m.graph as IGraph);
    if (!ts.length) return null;
    const t = r.pick(ts);
    if (t.rawData?.length) {
      const k = r.int(3);
      t.rawData = k === 0 ? t.rawData.subarray(0, r.int(t.rawData.length)) : k === 1 ? new Uint8Array([...t.rawData, ...new Uint8Array(r.int(9) + 1)]) : new Uint8Array();
    } else if (t.floatData?.length) t.floatData = t.floatData.slice(0, r.int(t.floatData.length));
    else if (t.int64Data?.length) t.int64Data = (t.int64Data as number[]).slice(1);
    else t.floatData = [1, 2, 3];
    return 'data-length';
  },
  function dataType(m, r) {
    const ts = allTensors(m.graph as IGraph);
    if (!ts.length) return null;
    const t = r.pick(ts);
    t.dataType = r.pick([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 21, 99]);
    if (t.dataType === 8 && r.chance(0.7)) {
      const n = dimsOf(t).reduce((a, b) => a * b, 1);
      t.rawData = new Uint8Array();
      t.stringData = Array.from({ length: Math.min(n, 1 << 16) }, () => new TextEncoder().encode(r.pick(NASTY)));
    }
    return 'data-type';
  },
  function externalData(m, r, side) {
    const ts = (m.graph?.initializer ?? []) as ITensor[];
    if (!ts.length) return null;
    const t = r.pick(ts);
    const raw = t.rawData?.length ? t.rawData : new Uint8Array(Math.min(1 << 20, dimsOf(t).reduce((a, b) => a * b, 1) * 4));
    const pad = r.int(64);
    const file = new Uint8Array(pad + raw.length + r.pick([0, 0, 3, 1 << 20]));
    file.set(raw, pad);
    side['w.bin'] = file;
    const location = r.pick(['w.bin', 'w.bin', 'w.bin', './sub/../w.bin', '../w.bin', '/etc/passwd', 'missing.bin', 'link.bin', 'C:\\w.bin', 'w.bin\u0000x', '', '.']);
    const offset = r.chance(0.8) ? String(pad) : r.pick(['-1', '1e3', 'x', String(2 ** 53), '99999999', '']);
    const length = r.chance(0.7) ? String(raw.length) : r.pick(['', '0', '-4', String(file.length * 2), String(raw.length + 4), 'NaN']);
    t.rawData = new Uint8Array();
    t.floatData = [];
    t.dataLocation = 1;
    t.externalData = [{ key: 'location', value: location }, ...(offset ? [{ key: 'offset', value: offset }] : []), ...(length ? [{ key: 'length', value: length }] : [])];
    return 'external-data';
  },
  function rename(m, r) {
    const g = m.graph as IGraph;
    const names = valueNames(g);
    const nodes = g.node ?? [];
    if (!nodes.length || !names.length) return null;
    const n = r.pick(nodes);
    const to = r.chance(0.3) ? r.pick(NASTY) : r.pick(names);
    if (r.chance(0.5) && n.input?.length) n.input[r.int(n.input.length)] = to;
    else if (n.output?.length) n.output[r.int(n.output.length)] = to;
    else return null;
    return 'rename';
  },
  function structure(m, r) {
    const g = m.graph as IGraph;
    const nodes = g.node ?? [];
    if (!nodes.length) return null;
    const i = r.int(nodes.length);
    switch (r.int(6)) {
      case 0: nodes.splice(i, 1); return 'delete-node';
      case 1: nodes.splice(r.int(nodes.length), 0, onnx.NodeProto.decode(onnx.NodeProto.encode(nodes[i]).finish())); return 'duplicate-node';
      case 2: { const j = r.int(nodes.length); [nodes[i], nodes[j]] = [nodes[j], nodes[i]]; return 'swap-nodes'; }
      case 3: g.output = (g.output ?? []).slice(1); return 'drop-output';
      case 4: g.input = []; return 'drop-inputs';
      default: (g.initializer ?? []).splice(r.int((g.initializer ?? []).length), 1); return 'drop-initializer';
    }
  },
  function opset(m, r) {
    const k = r.int(4);
    if (k === 0) m.opsetImport = [];
    else if (k === 1) m.opsetImport!.push({ domain: r.pick(['ai.rampart', 'com.microsoft', '']), version: r.pick([1, 99]) });
    else if (m.opsetImport?.length) m.opsetImport[0].version = r.pick([1, 6, 7, 9, 10, 11, 12, 13, 17, 18, 19, 21, 99, -1]);
    else return null;
    if (r.chance(0.2)) m.irVersion = r.pick([0, 1, 3, 4, 7, 8, 11, 99]);
    return 'opset';
  },
  function functions(m, r) {
    // A model-local function that calls itself, or two that call each other, or one with a wrong signature.
    const g = m.graph as IGraph;
    const nodes = g.node ?? [];
    if (!nodes.length) return null;
    const n = r.pick(nodes);
    const call = (op: string, ins: string[], outs: string[]) => ({ opType: op, domain: 'local', input: ins, output: outs, name: `${op}_call` });
    const kind = r.int(3);
    const f = { name: 'f', domain: 'local', input: ['a'], output: ['b'], opsetImport: [{ domain: '', version: 14 }, { domain: 'local', version: 1 }], node: [] as object[] };
    const h = { ...f, name: 'h', node: [] as object[] };
    if (kind === 0) f.node = [call('f', ['a'], ['b'])];
    else if (kind === 1) { f.node = [call('h', ['a'], ['b'])]; h.node = [call('f', ['a'], ['b'])]; } else f.node = [{ opType: 'Relu', input: ['zz'], output: ['b'] }];
    m.functions = [...(m.functions ?? []), onnx.FunctionProto.fromObject(f), ...(kind === 1 ? [onnx.FunctionProto.fromObject(h)] : [])];
    m.opsetImport = [...(m.opsetImport ?? []), { domain: 'local', version: 1 }];
    n.opType = 'f';
    n.domain = 'local';
    n.input = (n.input ?? []).slice(0, 1);
    n.output = (n.output ?? []).slice(0, 1);
    return 'function';
  },
  function sparse(m, r) {
    const g = m.graph as IGraph;
    const ts = (g.initializer ?? []) as ITensor[];
    if (!ts.length) return null;
    const t = r.pick(ts);
    const d = dimsOf(t);
    const dims = r.chance(0.5) ? d.map((x) => (r.chance(0.3) ? r.pick(BIG) : x)) : d;
    const values = onnx.TensorProto.fromObject({ name: t.name, dataType: 1, dims: [2], floatData: [1, 2] });
    const idx = onnx.TensorProto.fromObject({ name: `${t.name}_i`, dataType: 7, dims: [2], int64Data: [r.pick([0, 1, -1, 2 ** 40]), r.int(8)] });
    g.initializer = ts.filter((x) => x !== t);
    g.sparseInitializer = [...(g.sparseInitializer ?? []), onnx.SparseTensorProto.fromObject({ values, indices: idx, dims })];
    return 'sparse';
  },
];

type ByteMutation = (b: Uint8Array, r: Rand) => Uint8Array;

const BYTES: ByteMutation[] = [
  (b, r) => { const c = b.slice(); for (let k = 1 + r.int(8); k > 0; k--) c[r.int(c.length)] ^= 1 << r.int(8); return c; },
  (b, r) => b.slice(0, r.int(b.length)),
  (b, r) => { const c = b.slice(); const at = r.int(c.length); c.fill(r.pick([0, 0xff, 0x80]), at, at + 1 + r.int(16)); return c; },
  (b, r) => { const at = r.int(b.length); const junk = Uint8Array.from({ length: 1 + r.int(32) }, () => r.int(256)); return new Uint8Array([...b.subarray(0, at), ...junk, ...b.subarray(at)]); },
  (b, r) => { const at = r.int(b.length); const len = 1 + r.int(Math.min(4096, b.length - at)); return new Uint8Array([...b.subarray(0, at + len), ...b.subarray(at, at + len), ...b.subarray(at + len)]); },
];

/** Mutant `index` of corpus file `bytes`: 1-3 protobuf-aware mutations, or a byte-level one, or both. */
export function mutate(file: Uint8Array, r: Rand): Mutant {
  // A plain copy: a node Buffer's slice() is a view, and its fill() throws past the end.
  const bytes = new Uint8Array(file);
  const side: Record<string, Uint8Array> = {};
  const kinds: string[] = [];
  let out: Uint8Array = bytes;
  if (r.chance(0.8)) {
    const m = onnx.ModelProto.decode(bytes);
    for (let k = 1 + (r.chance(0.3) ? r.int(3) : 0); k > 0; k--) {
      const mutation = r.pick(PROTO);
      try {
        const kind = mutation(m, r, side);
        if (kind) kinds.push(kind);
      } catch {
        // A mutation that cannot apply to this file (sizes past what an array holds) is skipped.
      }
    }
    out = new Uint8Array(onnx.ModelProto.encode(m).finish());
  }
  if (kinds.length === 0 || r.chance(0.15)) {
    out = r.pick(BYTES)(out, r);
    kinds.push('bytes');
  }
  return { bytes: out, sidecars: side, kinds };
}
