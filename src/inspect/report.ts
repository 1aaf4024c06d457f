// The data behind `rampart inspect`: one row per node with its weights, parameter
// count, sparsity and MACs at a given batch / sequence length, plus totals.
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { RAMPART_DOMAIN } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { isSupported } from '../../runtime/ops/groups.ts';
import { isFloat } from '../../runtime/tensor.ts';
import { prunableWeights } from '../ir/layers.ts';
import { bindInputs, type Binding, type BindOptions } from './bind.ts';
import { csrCallCount } from './csr.ts';
import { countMacs } from './macs.ts';
import { concreteShapes } from './shapes.ts';

/** 'csr': a compiled CSR call (counted); 'function': another model-local function; 'rampart': an ai.rampart op without a function. */
export type NodeStatus = 'supported' | 'unsupported' | 'csr' | 'function' | 'rampart';

export interface LayerRow {
  node: string;
  op: string;
  domain: string;
  status: NodeStatus;
  /** Float initializer inputs (the weights): name and dims. */
  weights: { name: string; dims: number[] }[];
  params: number;
  /** Prunable weight elements and how many are exactly zero (0 / 0 when the node has none). */
  prunable: number;
  zeros: number;
  /** zeros / prunable, or null for a node without prunable weights. */
  sparsity: number | null;
  /** Dense MACs per inference; null when shapes are unknown or the op is not understood. */
  macs: number | null;
  /** MACs with each prunable weight's share scaled by its density (what a sparse kernel does). */
  sparseMacs: number | null;
}

export interface InspectReport {
  file?: string;
  producer: string;
  opset: { domain: string; version: number }[];
  batch: number;
  seqLen: number;
  bindings: Binding[];
  inputs: { name: string; dtype: string; shape: (number | string | null)[] | null; bound: number[] | null }[];
  outputs: { name: string; dtype: string; shape: number[] | null }[];
  layers: LayerRow[];
  totals: {
    nodes: number;
    params: number;
    prunable: number;
    zeros: number;
    sparsity: number | null;
    /** Null when any weighted node's MACs are unknown. */
    macs: number | null;
    sparseMacs: number | null;
  };
  unsupported: { node: string; op: string; domain: string }[];
  /** Why shapes (and so MACs) are partly unknown, when they are. */
  shapeWarning: string | null;
}

export function inspectModel(model: Model, opts: BindOptions & { file?: string }): InspectReport {
  const g = model.graph;
  const { inputs, bindings } = bindInputs(model, opts);
  const { shapes, warning } = concreteShapes(model, inputs, opts.file);
  const shapeOf = (name: string): number[] | null => {
    const init = g.initializers[name];
    if (init) return init.dims;
    return shapes.get(name) ?? null;
  };

  const density = new Map<string, { n: number; zeros: number }>();
  const prunableOf = new Map<string, string[]>();
  let pws: ReturnType<typeof prunableWeights> = [];
  try {
    pws = prunableWeights(model);
  } catch (e) {
    // A malformed weight is reported by validation elsewhere; inspect still shows the rest.
    if (!(e instanceof RampartError)) throw e;
  }
  for (const pw of pws) {
    const t = g.initializers[pw.initializer];
    if (!t || density.has(pw.initializer)) continue;
    density.set(pw.initializer, { n: t.data.length, zeros: countZeros(t) });
    prunableOf.set(pw.layer, [...(prunableOf.get(pw.layer) ?? []), pw.initializer]);
  }

  // Parameters are float initializers: int64 shape constants and indices are not weights.
  const isWeight = (x: string): boolean => !!x && g.initializers[x] !== undefined && isFloat(g.initializers[x].dtype);
  let totalPrunable = 0;
  let totalZeros = 0;
  const localFns = new Set(model.functions.map((f) => `${f.domain}::${f.name}`));
  const layers = g.nodes.map((node): LayerRow => {
    const weights = node.inputs.filter((x) => isWeight(x)).map((x) => ({ name: x, dims: g.initializers[x].dims }));
    const params = weights.reduce((a, w) => a + g.initializers[w.name].data.length, 0);
    const mine = prunableOf.get(node.name) ?? [];
    let prunable = mine.reduce((a, w) => a + density.get(w)!.n, 0);
    let zeros = mine.reduce((a, w) => a + density.get(w)!.zeros, 0);
    let status = statusOf(node, localFns);
    const fn = status === 'function' ? model.functions.find((f) => f.domain === node.domain && f.name === node.op) : undefined;
    const csr = fn ? csrCallCount(model, node, fn, shapeOf) : null;
    if (csr) {
      status = 'csr';
      prunable += csr.prunable;
      zeros += csr.zeros;
      totalPrunable += csr.prunable;
      totalZeros += csr.zeros;
    }
    const { macs, perWeight } = status === 'supported' ? countMacs(model, node, shapeOf) : { macs: csr?.macs ?? null, perWeight: {} };
    let sparseMacs: number | null = csr ? csr.sparseMacs : null;
    if (macs !== null && !csr) {
      sparseMacs = macs;
      for (const [w, m] of Object.entries(perWeight)) {
        const d = density.get(w);
        if (d && d.n > 0) sparseMacs -= m * (d.zeros / d.n);
      }
    }
    return {
      node: node.name, op: node.op, domain: node.domain, status, weights, params, prunable, zeros,
      sparsity: prunable > 0 ? zeros / prunable : null, macs, sparseMacs,
    };
  });

  // Shared initializers (tied weights) count once in the totals.
  const usedInits = new Set(g.nodes.flatMap((n) => n.inputs.filter((x) => isWeight(x))));
  const params = [...usedInits].reduce((a, x) => a + g.initializers[x].data.length, 0);
  const prunable = [...density.values()].reduce((a, d) => a + d.n, 0) + totalPrunable;
  const zeros = [...density.values()].reduce((a, d) => a + d.zeros, 0) + totalZeros;
  const sum = (k: 'macs' | 'sparseMacs'): number | null =>
    layers.some((l) => l[k] === null && (l.weights.length > 0 || l.status === 'unsupported' || l.status === 'rampart'))
      ? null
      : layers.reduce((a, l) => a + (l[k] ?? 0), 0);

  return {
    file: opts.file,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    opset: model.opsetImports,
    batch: opts.batch,
    seqLen: opts.seqLen,
    bindings,
    inputs: g.inputs.map((vi, i) => ({ name: vi.name, dtype: vi.dtype, shape: vi.shape, bound: inputs[i].shape as number[] | null })),
    outputs: g.outputs.map((vi) => ({ name: vi.name, dtype: vi.dtype, shape: shapes.get(vi.name) ?? null })),
    layers,
    totals: { nodes: layers.length, params, prunable, zeros, sparsity: prunable > 0 ? zeros / prunable : null, macs: sum('macs'), sparseMacs: sum('sparseMacs') },
    unsupported: layers.filter((l) => l.status === 'unsupported').map((l) => ({ node: l.node, op: l.op, domain: l.domain })),
    shapeWarning: warning,
  };
}

function statusOf(node: Node, localFns: Set<string>): NodeStatus {
  if (localFns.has(`${node.domain}::${node.op}`)) return 'function';
  if (node.domain === RAMPART_DOMAIN) return 'rampart';
  if ((node.domain === '' || node.domain === 'ai.onnx') && isSupported(node.op)) return 'supported';
  return 'unsupported';
}

function countZeros(t: Tensor): number {
  const d = t.data as ArrayLike<number>;
  let z = 0;
  for (let i = 0; i < d.length; i++) if (d[i] === 0) z++;
  return z;
}
