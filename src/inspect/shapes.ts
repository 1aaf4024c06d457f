// Concrete shapes for the MAC count: A's shape inference (src/ir/shapes.ts) re-run on
// a copy of the graph whose inputs have their symbolic dims bound to numbers. The
// copy shares the initializers (inference only reads them) and starts with empty
// valueInfo, so no symbolic dim from the file survives.
//
// Inference does not enter model-local functions (Rampart's compiled CSR calls), so
// for a model that has them and still has unknown shapes, the graph is executed once
// on zeros at the bound shapes (reference kernels, function bodies expanded) and the
// shapes are read off the values: exact, and cheap for edge-sized models.
import type { Model, Tensor, ValueInfo } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { onnxOpset } from '../../runtime/ir.ts';
import { executeGraph } from '../../runtime/executor.ts';
import { referenceTable } from '../../runtime/kernels/index.ts';
import { allocData } from '../../runtime/tensor.ts';
import { inferShapes } from '../ir/shapes.ts';

export function concreteShapes(model: Model, inputs: ValueInfo[], file?: string): { shapes: Map<string, number[]>; warning: string | null } {
  const graph = {
    ...model.graph,
    inputs,
    outputs: model.graph.outputs.map((o) => ({ ...o, shape: null })),
    valueInfo: {},
  };
  let warning: string | null = null;
  try {
    inferShapes({ ...model, graph }, file);
  } catch (e) {
    // A mismatch at these sizes (say a --seq-len the model cannot take): report what
    // was inferred before it, and say why the rest is unknown. A bug is not a mismatch.
    if (!(e instanceof RampartError)) throw e;
    warning = `shape inference stopped: ${e.message}`;
  }
  const shapes = new Map<string, number[]>();
  const add = (v: ValueInfo): void => {
    if (v.shape && v.shape.every((d) => typeof d === 'number')) shapes.set(v.name, v.shape as number[]);
  };
  graph.inputs.forEach(add);
  graph.outputs.forEach(add);
  Object.values(graph.valueInfo as Record<string, ValueInfo>).forEach(add);

  const values = model.graph.nodes.flatMap((n) => n.outputs.filter(Boolean));
  if (warning === null && model.functions.length > 0 && values.some((v) => !shapes.has(v))) {
    try {
      for (const [name, dims] of measuredShapes(model, inputs, values, file)) shapes.set(name, dims);
    } catch (e) {
      if (!(e instanceof RampartError)) throw e;
      warning = `shapes inside model-local functions are unknown: running on zeros failed: ${e.message}`;
    }
  }
  return { shapes, warning };
}

function measuredShapes(model: Model, inputs: ValueInfo[], keep: string[], file?: string): Map<string, number[]> {
  const feeds: Record<string, Tensor> = {};
  for (const vi of inputs) {
    const dims = vi.shape as number[];
    feeds[vi.name] = { dtype: vi.dtype, dims, data: allocData(vi.dtype, dims.reduce((a, b) => a * b, 1)) };
  }
  // Every value as a graph output (not ExecuteOptions.keep, which the executor also
  // passes into expanded function bodies, where those names do not exist).
  const graph = { ...model.graph, outputs: keep.map((name) => ({ name, dtype: 'float32' as const, shape: null })) };
  const out = executeGraph(graph, feeds, referenceTable, { functions: model.functions, ctx: { opset: onnxOpset(model), file } });
  return new Map(Object.entries(out).map(([k, t]) => [k, t.dims.slice()]));
}
