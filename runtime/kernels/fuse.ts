// Producer -> Relu [-> MaxPool] fusion for the js and wasm backends: a rewrite of the
// session's graph, made once at session creation, that keeps the IR's semantics.
//
// Why: profiled on the zoo CNN (batch 1, wasm), a standalone Relu on a 16x28x28 map
// cost ~24 us and the MaxPool after it ~28 us — almost all of it allocating a fresh
// JS array per op, copying into WASM memory and back, and GC — against ~15 us for
// the conv itself. Fused, the conv's output stays in backend memory: Relu is one SIMD
// pass and the pool reads it in place (runtime/kernels/conv.ts, env.epilogue).
//
// What is fused: Conv, Gemm, MatMul, or an ai.rampart CSR call of one of them, whose
// only output feeds exactly one Relu (and nothing else, not a graph output); for
// Conv-like producers also a MaxPool that is the Relu output's only consumer and has
// no Indices output. The fused node keeps the producer's name and op (errors still
// say "node 'conv1', op Conv") in an internal domain, and its kernel falls back to
// running the original Relu / MaxPool nodes through the table for any part the
// producer's kernel did not apply — so a fallback to the reference kernel stays correct.
// The reference backend is never rewritten: it stays the oracle.
import type { Graph, Node, Tensor } from '../ir.ts';
import { kernelKey, type Kernel, type KernelTable } from '../ops/types.ts';
import { csrOpOfNode } from '../csr-format.ts';
import type { Epilogue, KernelEnv } from './env.ts';

/** Never serialised: fused nodes exist only in a session's execution graph. */
export const FUSED_DOMAIN = 'ai.rampart.fused';

interface Fused { producer: Node; relu: Node; pool: Node | null }

export interface FusedGraph {
  graph: Graph;
  /** Values the rewrite no longer computes (a fetch of one must run the original graph). */
  removed: Set<string>;
}

const isOnnx = (n: Node) => n.domain === '' || n.domain === 'ai.onnx';

const PRODUCERS = new Set(['Conv', 'Gemm', 'MatMul']);

/** 'Conv' | 'Gemm' | 'MatMul' for a producer we can fuse (the op itself or a CSR call of it), else null. */
function producerKind(n: Node): string | null {
  const op = isOnnx(n) ? n.op : csrOpOfNode(n)?.op;
  return op && PRODUCERS.has(op) ? op : null;
}

/**
 * The fused graph and the kernels it needs (added to `table`), or null when there is
 * nothing to fuse. Graphs with subgraph attributes are left alone: a body may read an
 * outer value by name, which a use count over the top level would miss.
 */
export function fuseGraph(graph: Graph, env: KernelEnv, table: KernelTable): FusedGraph | null {
  if (graph.nodes.some((n) => Object.values(n.attrs).some((a) => a.type === 'graph'))) return null;
  const uses = new Map<string, number>();
  const consumer = new Map<string, Node>();
  const count = (name: string) => uses.set(name, (uses.get(name) ?? 0) + 1);
  for (const n of graph.nodes) for (const x of n.inputs) if (x) { count(x); consumer.set(x, n); }
  for (const o of graph.outputs) count(o.name);
  const only = (name: string): Node | null => (uses.get(name) === 1 ? consumer.get(name) ?? null : null);

  const fusedOf = new WeakMap<Node, Fused>();
  const skip = new Set<Node>();
  const removed = new Set<string>();
  const nodes: Node[] = [];
  for (const n of graph.nodes) {
    if (skip.has(n)) continue;
    const kind = producerKind(n);
    const y = n.outputs[0];
    const relu = kind && n.outputs.length === 1 && y && table[kernelKey(n.domain, n.op)] ? only(y) : null;
    if (!relu || !isOnnx(relu) || relu.op !== 'Relu' || relu.inputs[0] !== y) { nodes.push(n); continue; }
    const r = relu.outputs[0];
    const next = kind === 'Conv' && r ? only(r) : null;
    const pool = next && isOnnx(next) && next.op === 'MaxPool' && next.inputs[0] === r
      && (next.outputs.length === 1 || !next.outputs[1]) ? next : null;
    const out = pool ? pool.outputs[0] : r;
    const node: Node = { ...n, domain: FUSED_DOMAIN, outputs: [out] };
    fusedOf.set(node, { producer: n, relu, pool });
    table[kernelKey(FUSED_DOMAIN, n.op)] = fusedKernel(env, table, fusedOf);
    removed.add(y);
    if (pool) removed.add(r);
    skip.add(relu);
    if (pool) skip.add(pool);
    nodes.push(node);
  }
  if (removed.size === 0) return null;
  return { graph: { ...graph, nodes }, removed };
}

function fusedKernel(env: KernelEnv, table: KernelTable, fusedOf: WeakMap<Node, Fused>): Kernel {
  return (inputs, node, ctx) => {
    const f = fusedOf.get(node);
    if (!f) throw new Error(`internal: '${node.name}' is not a fused node of this table`);
    const produce = table[kernelKey(f.producer.domain, f.producer.op)];
    // Only a Conv consumes the epilogue (conv2d); Gemm/MatMul outputs are fresh arrays.
    const epi: Epilogue | null = producerKind(f.producer) === 'Conv' ? { node: f.producer, relu: true, pool: f.pool, reluDone: false, poolDone: false } : null;
    env.epilogue = epi;
    let y: Tensor | undefined;
    try {
      y = produce(inputs, f.producer, ctx)[0];
    } finally {
      env.epilogue = null;
    }
    if (!y) throw new Error(`internal: '${node.name}' produced no output`);
    if (!epi?.reluDone) y = reluInPlaceOr(y, inputs, f.relu, table, ctx);
    if (f.pool && !epi?.poolDone) y = table.MaxPool([y], f.pool, ctx)[0]!;
    return [y];
  };
}

/**
 * Relu of a producer's output: in place when it is a float32 array sharing no buffer
 * with the inputs (the overlay kernels return fresh arrays), else the table's Relu.
 */
function reluInPlaceOr(y: Tensor, inputs: (Tensor | undefined)[], relu: Node, table: KernelTable, ctx: Parameters<Kernel>[2]): Tensor {
  const d = y.data;
  if (y.dtype === 'float32' && d instanceof Float32Array && !inputs.some((t) => t && typeof t.data === 'object' && (t.data as Float32Array).buffer === d.buffer)) {
    for (let i = 0; i < d.length; i++) if (d[i] < 0) d[i] = 0;
    return y;
  }
  return table.Relu([y], relu, ctx)[0]!;
}
