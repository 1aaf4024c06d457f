// Executes an IR graph node by node with a kernel table. The nodes of an ONNX graph
// are topologically sorted by the standard; the executor checks that every input
// it reads exists and releases intermediates after their last use.
import type { FunctionDef, Graph, Model, Node, Tensor } from './ir.ts';
import { RampartError, withContext } from './errors.ts';
import { kernelKey, type KernelContext, type KernelTable } from './ops/types.ts';

export interface ExecuteOptions {
  /** Model-local functions: a node with no kernel whose (domain, op) names one is expanded. */
  functions?: FunctionDef[];
  ctx: KernelContext;
  /** Keep these intermediate values in the result too (tests, debugging). */
  keep?: string[];
}

export function executeGraph(
  graph: Graph,
  feeds: Record<string, Tensor>,
  table: KernelTable,
  opts: ExecuteOptions,
): Record<string, Tensor> {
  const values = new Map<string, Tensor>();
  for (const [k, t] of Object.entries(graph.initializers)) values.set(k, t);
  for (const [k, t] of Object.entries(feeds)) values.set(k, t);
  for (const inp of graph.inputs) {
    if (!values.has(inp.name)) {
      throw new RampartError(`graph input '${inp.name}' was not fed`, { file: opts.ctx.file });
    }
  }
  const wanted = new Set<string>([...graph.outputs.map((o) => o.name), ...(opts.keep ?? [])]);
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.inputs.forEach((x) => x && lastUse.set(x, i)));

  graph.nodes.forEach((node, i) => {
    const ins = node.inputs.map((name) => {
      if (!name) return undefined;
      const t = values.get(name);
      if (t === undefined) {
        throw new RampartError(`input '${name}' is not produced by any earlier node, initializer or graph input`, {
          file: opts.ctx.file, node: node.name, op: node.op,
        });
      }
      return t;
    });
    const outs = runNode(node, ins, table, opts);
    node.outputs.forEach((name, k) => {
      const t = outs[k];
      if (name && t !== undefined) values.set(name, t);
    });
    for (const name of node.inputs) {
      if (name && lastUse.get(name) === i && !wanted.has(name) && !(name in graph.initializers) && !(name in feeds)) {
        values.delete(name);
      }
    }
  });

  const result: Record<string, Tensor> = {};
  for (const name of wanted) {
    const t = values.get(name);
    if (t === undefined) throw new RampartError(`output '${name}' was never computed`, { file: opts.ctx.file });
    result[name] = t;
  }
  return result;
}

export function runNode(
  node: Node,
  inputs: (Tensor | undefined)[],
  table: KernelTable,
  opts: ExecuteOptions,
): (Tensor | undefined)[] {
  const kernel = table[kernelKey(node.domain, node.op)];
  if (kernel) {
    try {
      return kernel(inputs, node, opts.ctx);
    } catch (e) {
      throw withContext(e, { file: opts.ctx.file, node: node.name, op: node.op });
    }
  }
  const fn = opts.functions?.find((f) => f.name === node.op && f.domain === node.domain);
  if (fn) return expandFunction(fn, node, inputs, table, opts);
  throw new RampartError(`unsupported operator ${node.domain ? node.domain + '::' : ''}${node.op}`, {
    file: opts.ctx.file, node: node.name, op: node.op,
    expected: 'an op of the supported set (rampart inspect lists them) or a model-local function',
  });
}

/** Runs a FunctionProto's body with the call's inputs bound to the formal names. */
function expandFunction(
  fn: FunctionDef,
  call: Node,
  inputs: (Tensor | undefined)[],
  table: KernelTable,
  opts: ExecuteOptions,
): (Tensor | undefined)[] {
  const feeds: Record<string, Tensor> = {};
  fn.inputs.forEach((name, i) => {
    const t = inputs[i];
    if (t !== undefined) feeds[name] = t;
  });
  const body: Graph = {
    name: `${call.name}/${fn.name}`,
    inputs: [],
    outputs: fn.outputs.map((name) => ({ name, dtype: 'float32', shape: null })),
    initializers: {},
    nodes: fn.nodes.map((n, i) => ({ ...n, name: n.name || `${call.name}/${n.op}_${i}` })),
    valueInfo: {},
  };
  const out = executeGraph(body, feeds, table, { ...opts, keep: undefined });
  return fn.outputs.map((name) => out[name]);
}

/** Runs a whole model with a kernel table. */
export function executeModel(model: Model, feeds: Record<string, Tensor>, table: KernelTable, ctx: KernelContext): Record<string, Tensor> {
  return executeGraph(model.graph, feeds, table, { functions: model.functions, ctx });
}
