// The executable IR validator: run on every model loaded, by the compiler's loader
// (src/onnx/import.ts) and the runtime's InferenceSession.create alike, so both accept
// and refuse the same files, and after every compiler pass that edits a graph. It
// checks structure (names, producers, order, cycles), attribute sanity, tensor
// storage, CSR invariants, and that model-local functions do not call themselves
// (the executor would recurse until the stack ran out). Unknown ops are fine here:
// `inspect` must work on them; running them fails later, in the executor.
import type { Attr, Csr, DType, FunctionDef, Graph, Model, Node, Tensor } from '../ir.ts';
import { RAMPART_DOMAIN } from '../ir.ts';
import { RampartError, type ErrorContext } from '../errors.ts';
import { validateCsr as checkCsr } from '../csr.ts';
import { sizeOf } from '../tensor.ts';
import { checkOpAttrs } from './attr-rules.ts';
import { ELEMENTWISE_BINARY_OPS, NORM_OPS, POOL_OPS, PRUNABLE_OPS, REDUCE_OPS, RESAMPLE_OPS, UNARY_OPS } from '../ops/groups.ts';

export interface ValidateOptions {
  /**
   * Finds the CSR matrices a node stores in initializers, for the invariant check.
   * The default reads Rampart's CSR function calls (ai.rampart Csr*): see csrOperands.
   */
  csrOperands?: (node: Node, graph: Graph, model: Model) => { name: string; csr: Csr }[];
}

export function validateModel(model: Model, file?: string, opts: ValidateOptions = {}): void {
  const v = new Validator(model, file, opts);
  v.graph(model.graph, new Set(), 'graph');
  const seen = new Set<string>();
  for (const f of model.functions) {
    const key = `${f.domain}::${f.name}`;
    if (seen.has(key)) v.fail(`two model-local functions are named ${f.domain ? f.domain + '::' : ''}${f.name}`);
    seen.add(key);
    v.func(f);
  }
  const cycle = recursiveCall(model.functions);
  if (cycle) {
    const [first] = cycle;
    v.fail(cycle.length === 2 ? `model-local function '${first}' calls itself` : `model-local functions call each other in a cycle: ${cycle.join(' -> ')}`,
      undefined, 'functions that do not recurse (ONNX functions cannot)');
  }
}

const fnKey = (domain: string, name: string) => (domain ? `${domain}::${name}` : name);

/** The function keys a body calls, subgraphs included. */
function callees(nodes: Node[], known: Set<string>, out = new Set<string>()): Set<string> {
  for (const n of nodes) {
    const k = fnKey(n.domain, n.op);
    if (known.has(k)) out.add(k);
    for (const a of Object.values(n.attrs)) if (a.type === 'graph') callees(a.value.nodes, known, out);
  }
  return out;
}

/** One cycle in the call graph of model-local functions (f -> g -> f), or null. Iterative: a long chain must not overflow the stack here either. */
function recursiveCall(functions: FunctionDef[]): string[] | null {
  const known = new Set(functions.map((f) => fnKey(f.domain, f.name)));
  const edges = new Map(functions.map((f) => [fnKey(f.domain, f.name), [...callees(f.nodes, known)]]));
  const state = new Map<string, 1 | 2>(); // 1 on the path, 2 done
  for (const root of known) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, 1);
    while (path.length > 0) {
      const at = path[path.length - 1];
      const out = edges.get(at) ?? [];
      const i = next[next.length - 1]++;
      if (i >= out.length) {
        state.set(at, 2);
        path.pop();
        next.pop();
        continue;
      }
      const to = out[i];
      if (state.get(to) === 1) return [...path.slice(path.indexOf(to)), to];
      if (!state.has(to)) {
        state.set(to, 1);
        path.push(to);
        next.push(0);
      }
    }
  }
  return null;
}

/** CSR invariants (runtime/ir.ts `Csr`, checked by runtime/csr.ts), with the weight's name in the message. */
export function validateCsr(csr: Csr, name: string, ctx: ErrorContext = {}): void {
  try {
    checkCsr(csr);
  } catch (e) {
    if (e instanceof RampartError) throw new RampartError(`CSR '${name}': ${e.message}`, ctx, { cause: e });
    throw e;
  }
}

/** Ops that only compute on numbers: every input of theirs must be numeric. */
const NUMERIC_OPS = new Set<string>([
  ...PRUNABLE_OPS, ...ELEMENTWISE_BINARY_OPS, ...POOL_OPS, ...NORM_OPS, ...REDUCE_OPS, ...RESAMPLE_OPS,
  ...UNARY_OPS.filter((op) => op !== 'Identity' && op !== 'Dropout' && op !== 'Cast'),
]);

const STORAGE: Record<DType, string> = {
  float32: 'Float32Array', float16: 'Float32Array', float64: 'Float64Array', int64: 'Float64Array', uint64: 'Float64Array',
  int32: 'Int32Array', uint32: 'Uint32Array', int16: 'Int16Array', uint16: 'Uint16Array', int8: 'Int8Array',
  uint8: 'Uint8Array', bool: 'Uint8Array', string: 'Array',
};

/** A tensor's dims are non-negative integers and its storage matches dtype and size. */
export function validateTensor(t: Tensor, what: string, ctx: ErrorContext = {}): void {
  if (!Array.isArray(t.dims) || t.dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RampartError(`${what} has invalid dims [${t.dims}]`, { ...ctx, expected: 'non-negative integer dims' });
  }
  const want = STORAGE[t.dtype];
  if (want === undefined) throw new RampartError(`${what} has unknown dtype '${t.dtype}'`, ctx);
  const got = Array.isArray(t.data) ? 'Array' : (t.data as object)?.constructor?.name;
  if (got !== want) {
    throw new RampartError(`${what} (${t.dtype}) is stored in a ${got}`, { ...ctx, expected: `a ${want}` });
  }
  const n = sizeOf(t.dims);
  if (t.data.length !== n) {
    throw new RampartError(`${what} has ${t.data.length} values but dims [${t.dims.join(',')}] need ${n}`, {
      ...ctx, expected: `${n} values`,
    });
  }
}

class Validator {
  constructor(private model: Model, private file: string | undefined, private opts: ValidateOptions) {}

  fail(message: string, node?: Node, expected?: string): never {
    throw new RampartError(message, { file: this.file, node: node?.name, op: node?.op, expected });
  }

  graph(g: Graph, outer: Set<string>, where: string): void {
    const available = new Set(outer);
    const declare = (name: string, what: string, node?: Node) => {
      if (available.has(name)) this.fail(`${where}: ${what} '${name}' is defined twice (SSA names must be unique)`, node);
      available.add(name);
    };
    for (const [name, t] of Object.entries(g.initializers)) {
      declare(name, 'initializer');
      validateTensor(t, `initializer '${name}'`, { file: this.file });
    }
    for (const v of g.inputs) declare(v.name, 'graph input');

    const producer = new Map<string, number>();
    g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && !producer.has(o) && producer.set(o, i)));
    const names = new Set<string>();
    g.nodes.forEach((node, i) => {
      if (!node.name) this.fail(`${where}: node ${i} (${node.op}) has no name`, node);
      if (names.has(node.name)) this.fail(`${where}: two nodes are named '${node.name}'`, node, 'unique node names');
      names.add(node.name);
      if (!node.op) this.fail(`${where}: node has no op type`, node);
      this.domain(node, this.model.opsetImports.map((o) => o.domain));
      for (const x of node.inputs) {
        if (!x || available.has(x)) continue;
        const p = producer.get(x);
        if (p === undefined) {
          this.fail(`input '${x}' is not produced by any node, initializer or graph input`, node, 'a defined value');
        }
        const cycle = findCycle(g.nodes);
        if (cycle) this.fail(`${where} has a cycle: ${cycle.join(' -> ')}`, node, 'an acyclic graph');
        this.fail(`input '${x}' is read before node '${g.nodes[p].name}' produces it (nodes are not in topological order)`, node);
      }
      this.attrs(node, available);
      this.numericInputs(node, g);
      for (const o of node.outputs) if (o) declare(o, 'output', node);
      const csrs = (this.opts.csrOperands ?? csrOperands)(node, g, this.model);
      for (const { name, csr } of csrs) validateCsr(csr, name, { file: this.file, node: node.name, op: node.op });
    });
    const outs = new Set<string>();
    for (const v of g.outputs) {
      if (!available.has(v.name)) this.fail(`${where}: graph output '${v.name}' is never produced`);
      if (outs.has(v.name)) this.fail(`${where}: graph output '${v.name}' is listed twice`);
      outs.add(v.name);
    }
  }

  func(f: FunctionDef): void {
    const fake: Graph = {
      name: `function ${f.name}`, inputs: f.inputs.map((name) => ({ name, dtype: 'float32', shape: null })),
      outputs: f.outputs.map((name) => ({ name, dtype: 'float32', shape: null })), initializers: {}, valueInfo: {},
      nodes: f.nodes.map((n, i) => ({ ...n, name: n.name || `${n.op}_${i}` })),
    };
    const saved = this.model;
    // A function body resolves domains against its own opset imports.
    this.model = { ...saved, opsetImports: [...saved.opsetImports, ...f.opsetImports] };
    try {
      this.graph(fake, new Set(), `function '${f.name}'`);
    } finally {
      this.model = saved;
    }
  }

  /** A string initializer feeding an op that computes on numbers (a string weight) is refused by name. */
  private numericInputs(node: Node, g: Graph): void {
    if (node.domain !== '' || !NUMERIC_OPS.has(node.op)) return;
    for (const x of node.inputs) {
      if (x && Object.hasOwn(g.initializers, x) && g.initializers[x].dtype === 'string') {
        this.fail(`input '${x}' is a string tensor`, node, 'numeric weights and inputs');
      }
    }
  }

  private domain(node: Node, imported: string[]): void {
    const d = node.domain;
    const isDefault = d === '' || d === 'ai.onnx';
    const ok = isDefault ? imported.some((x) => x === '' || x === 'ai.onnx') : imported.includes(d);
    if (!ok) this.fail(`op domain '${d || 'ai.onnx'}' is not in the model's opset imports`, node, 'an opset_import entry for every domain used');
  }

  private attrs(node: Node, available: Set<string>): void {
    for (const [name, a] of Object.entries(node.attrs)) {
      const bad = (why: string): never => this.fail(`attribute '${name}' ${why}`, node);
      checkAttrValue(a, bad);
      if (a.type === 'tensor') validateTensor(a.value, `attribute '${name}'`, { file: this.file, node: node.name, op: node.op });
      if (a.type === 'graph') this.graph(a.value, available, `subgraph '${name}' of node '${node.name}'`);
    }
    if (node.domain === '') {
      const why = checkOpAttrs(node);
      if (why) this.fail(why, node);
    }
  }
}

function checkAttrValue(a: Attr, bad: (why: string) => never): void {
  switch (a.type) {
    case 'int': if (!Number.isInteger(a.value)) bad(`should be an integer, is ${a.value}`); break;
    case 'float': if (typeof a.value !== 'number') bad('should be a number'); break;
    case 'string': if (typeof a.value !== 'string') bad('should be a string'); break;
    case 'ints': if (!Array.isArray(a.value) || a.value.some((x) => !Number.isInteger(x))) bad('should be a list of integers'); break;
    case 'floats': if (!Array.isArray(a.value) || a.value.some((x) => typeof x !== 'number')) bad('should be a list of numbers'); break;
    case 'strings': if (!Array.isArray(a.value) || a.value.some((x) => typeof x !== 'string')) bad('should be a list of strings'); break;
    case 'tensor': case 'graph': break;
    default: bad(`has unknown type '${(a as { type: string }).type}'`);
  }
}

/** Kahn's algorithm; returns the node names of one cycle, or null. */
function findCycle(nodes: Node[]): string[] | null {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const deps = nodes.map((n) => [...new Set(n.inputs.filter((x) => producer.has(x)).map((x) => producer.get(x)!))]);
  const state = new Array<number>(nodes.length).fill(0); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const visit = (i: number): number[] | null => {
    state[i] = 1;
    stack.push(i);
    for (const j of deps[i]) {
      if (state[j] === 1) return stack.slice(stack.indexOf(j)).concat(j);
      if (state[j] === 0) {
        const c = visit(j);
        if (c) return c;
      }
    }
    stack.pop();
    state[i] = 2;
    return null;
  };
  for (let i = 0; i < nodes.length; i++) {
    if (state[i] === 0) {
      const c = visit(i);
      if (c) return c.reverse().map((k) => nodes[k].name);
    }
  }
  return null;
}

/**
 * Default CSR finder for Rampart's CSR ops (targets/onnx-csr, runtime/kernels/csr-ops.ts):
 * an ai.rampart call of a model-local function `Csr*` whose formal inputs name each
 * CSR weight `<slot>_values`, `<slot>_col_indices`, `<slot>_row_ptr`, `<slot>_shape`
 * ([rows, cols]). Weights whose tensors are initializers are checked; computed ones
 * can only be checked at run time.
 */
export function csrOperands(node: Node, graph: Graph, model: Model): { name: string; csr: Csr }[] {
  if (node.domain !== RAMPART_DOMAIN || !node.op.startsWith('Csr')) return [];
  const fn = model.functions.find((f) => f.name === node.op && f.domain === node.domain);
  if (!fn) return [];
  const out: { name: string; csr: Csr }[] = [];
  fn.inputs.forEach((formal, i) => {
    const m = /^(.*)_values$/.exec(formal);
    if (!m) return;
    const part = (suffix: string) => {
      const k = fn.inputs.indexOf(`${m[1]}_${suffix}`);
      return k < 0 || !node.inputs[k] ? undefined : graph.initializers[node.inputs[k]];
    };
    const v = graph.initializers[node.inputs[i]], c = part('col_indices'), r = part('row_ptr'), s = part('shape');
    if (!v || !c || !r || !s || v.dtype === 'string' || c.dtype === 'string' || r.dtype === 'string' || s.data.length !== 2) return;
    const [rows, cols] = Array.from(s.data as ArrayLike<number>);
    out.push({
      name: node.inputs[i],
      csr: {
        rows, cols,
        rowPtr: r.data instanceof Int32Array ? r.data : Int32Array.from(r.data as ArrayLike<number>),
        colIdx: c.data instanceof Uint16Array || c.data instanceof Int32Array ? c.data : Int32Array.from(c.data as ArrayLike<number>),
        values: v.data instanceof Float32Array ? v.data : Float32Array.from(v.data as ArrayLike<number>),
      },
    });
  });
  return out;
}
