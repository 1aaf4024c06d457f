// Executes an IR graph node by node with a kernel table. The nodes of an ONNX graph
// are topologically sorted by the standard; the executor checks that every input
// it reads exists and releases intermediates after their last use. A run holds a
// memory budget (runtime/limits.ts): the weights and feeds are charged at the start,
// every node's outputs when they arrive, and released after their last use, so a
// model that would grow past the limit stops at the node that does it.
import type { FunctionDef, Graph, Model, Node, Tensor } from './ir.ts';
import { RampartError, withContext } from './errors.ts';
import { activeBudget, defaultMemoryLimit, MemoryBudget, swapBudget, tensorBytes } from './limits.ts';
import { kernelKey, type KernelContext, type KernelTable } from './ops/types.ts';

export interface ExecuteOptions {
  /** Model-local functions: a node with no kernel whose (domain, op) names one is expanded. */
  functions?: FunctionDef[];
  ctx: KernelContext;
  /** Keep these intermediate values in the result too (tests, debugging). */
  keep?: string[];
  /** Bytes this run may hold (default: runtime/limits.ts's default limit); a nested graph shares its caller's budget. */
  maxMemory?: number;
}

/**
 * How deep function calls may nest. Recursion is refused by the validator
 * (runtime/onnx/validate.ts); this bounds the executor's own stack for graphs that
 * never met it (built in code) and for long acyclic chains of calls.
 */
const MAX_CALL_DEPTH = 64;

/** The function calls being expanded, outermost first (the executor is synchronous). */
const callStack: string[] = [];

export function executeGraph(
  graph: Graph,
  feeds: Record<string, Tensor>,
  table: KernelTable,
  opts: ExecuteOptions,
): Record<string, Tensor> {
  const outer = activeBudget();
  if (outer && callStack.length > 0) return runGraph(graph, feeds, table, opts, outer, false);
  const budget = new MemoryBudget(opts.maxMemory ?? defaultMemoryLimit());
  const saved = swapBudget(budget);
  try {
    return runGraph(graph, feeds, table, opts, budget, true);
  } finally {
    swapBudget(saved);
  }
}

function runGraph(
  graph: Graph,
  feeds: Record<string, Tensor>,
  table: KernelTable,
  opts: ExecuteOptions,
  budget: MemoryBudget,
  top: boolean,
): Record<string, Tensor> {
  const file = opts.ctx.file;
  // Plain loops, no closures: a run of a small model is a few microseconds, and under
  // tsx every closure made per run costs a defineProperty (keepNames); measured on the
  // zoo LSTM (4 nodes): 1.9 -> 0.9 us per run.
  const values = new Map<string, Tensor>();
  for (const k in graph.initializers) values.set(k, graph.initializers[k]);
  for (const k in feeds) values.set(k, feeds[k]);
  for (const inp of graph.inputs) {
    if (!values.has(inp.name)) {
      throw new RampartError(`graph input '${inp.name}' was not fed`, { file });
    }
  }
  // A function body's inputs are its caller's values, already charged.
  const charged = new Map<string, number>();
  let held = 0;
  if (top) {
    for (const t of values.values()) held += tensorBytes(t);
    budget.charge(held, "the model's weights and inputs");
  }
  const wanted = new Set<string>();
  for (const o of graph.outputs) wanted.add(o.name);
  for (const k of opts.keep ?? []) wanted.add(k);
  const nodes = graph.nodes;
  const lastUse = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) for (const x of nodes[i].inputs) if (x) lastUse.set(x, i);

  try {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const ins: (Tensor | undefined)[] = [];
      for (const name of node.inputs) {
        if (!name) {
          ins.push(undefined);
          continue;
        }
        const t = values.get(name);
        if (t === undefined) {
          throw new RampartError(`input '${name}' is not produced by any earlier node, initializer or graph input`, {
            file, node: node.name, op: node.op,
          });
        }
        ins.push(t);
      }
      const outs = runNode(node, ins, table, opts);
      for (let k = 0; k < node.outputs.length; k++) {
        const name = node.outputs[k], t = outs[k];
        if (!name || t === undefined) continue;
        if (charged.has(name)) drop(budget, charged, values, name);
        let bytes: number;
        try {
          bytes = budget.chargeOutput(name, t);
        } catch (e) {
          throw withContext(e, { file, node: node.name, op: node.op });
        }
        charged.set(name, bytes);
        values.set(name, t);
      }
      for (const name of node.inputs) {
        if (name && lastUse.get(name) === i && !wanted.has(name) && !(name in graph.initializers) && !(name in feeds)) drop(budget, charged, values, name);
      }
    }

    const result: Record<string, Tensor> = {};
    for (const name of wanted) {
      const t = values.get(name);
      if (t === undefined) throw new RampartError(`output '${name}' was never computed`, { file });
      result[name] = t;
    }
    return result;
  } finally {
    // The caller charges what it keeps of the result as its node's outputs.
    for (const bytes of charged.values()) budget.release(bytes);
    if (top) budget.release(held);
  }
}

/** Forgets a value: its bytes go back to the budget. */
function drop(budget: MemoryBudget, charged: Map<string, number>, values: Map<string, Tensor>, name: string): void {
  budget.release(charged.get(name) ?? 0);
  charged.delete(name);
  values.delete(name);
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
      // A RampartError gains the node; a kernel's own bug goes up untouched (exit 70).
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
  const key = fn.domain ? `${fn.domain}::${fn.name}` : fn.name;
  if (callStack.includes(key) || callStack.length >= MAX_CALL_DEPTH) {
    const chain = [...callStack, key].join(' -> ');
    throw new RampartError(callStack.includes(key) ? `function ${key} calls itself (${chain})` : `function calls nest deeper than ${MAX_CALL_DEPTH} (${chain})`, {
      file: opts.ctx.file, node: call.name, op: call.op, expected: 'model-local functions that do not recurse',
    });
  }
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
  callStack.push(key);
  try {
    const out = executeGraph(body, feeds, table, { ...opts, keep: undefined });
    return fn.outputs.map((name) => out[name]);
  } finally {
    callStack.pop();
  }
}

/** Runs a whole model with a kernel table. */
export function executeModel(model: Model, feeds: Record<string, Tensor>, table: KernelTable, ctx: KernelContext, maxMemory?: number): Record<string, Tensor> {
  return executeGraph(model.graph, feeds, table, { functions: model.functions, ctx, maxMemory });
}
