// IR → tfjs lowering: a model becomes a differentiable function over tf.Variables.
//
//   const low = lowerToTfjs(model);
//   // low.variables: Record<initializer name, tf.Variable> — every float initializer
//   // low.trainable: the names fine-tuning updates (all but BatchNorm statistics)
//   const out = tf.tidy(() => low.forward({ input: x }));      // graph outputs
//   const { grads } = tf.variableGrads(() => loss(low.forward({ input: x }).logits),
//                                      low.trainable.map((n) => low.variables[n]));
//   const tuned = low.writeBack(model);                        // a new Model, same graph
//   low.dispose();
//
// Design (docs/design/train.md): a functional lowering. Each IR node maps to tfjs ops
// over the variables (ops/*.ts, one family per file); recurrent nodes are unrolled
// loops of tf.matMul written from the ONNX equations. So the tfjs function is the
// ONNX semantics op for op, and gradients exist for every weight on every backend
// whose kernels backend.ts finds. Values are tfjs tensors or host tensors (ops/types.ts):
// a node whose inputs are all host tensors (shape arithmetic) runs on the host with
// the reference kernels, so tfjs only ever sees constant shapes.
//
// forward() creates tensors the caller owns: call it inside tf.tidy / variableGrads.
// The lowering does not choose a backend; call useBackendFor(model, mode) first.
import type { Model, Tensor, ValueInfo } from '../../runtime/ir.ts';
import { onnxOpset } from '../../runtime/ir.ts';
import { RampartError, withContext } from '../../runtime/errors.ts';
import { allocData, isFloat } from '../../runtime/tensor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { kernelKey } from '../../runtime/ops/types.ts';
import { tf } from './tf.ts';
import { lowerings } from './ops/index.ts';
import { asTf, isTf, type LowerContext, type Value } from './ops/types.ts';

export interface LoweredModel {
  /** One variable per float initializer, keyed by initializer name. */
  variables: Record<string, tf.Variable>;
  /** Names of the variables training updates: all but BatchNormalization mean / var. */
  trainable: string[];
  /** The graph inputs forward() expects. */
  inputs: ValueInfo[];
  /** The graph output names forward() returns by default. */
  outputs: string[];
  /**
   * Runs the graph. `feeds` maps graph input names to tensors (IR tensors are
   * converted); `outputs` picks which values to return (any graph value name,
   * e.g. the logits feeding a final Softmax). Returns tfjs tensors.
   */
  forward(feeds: Record<string, tf.Tensor | Tensor>, opts?: { outputs?: string[] }): Record<string, tf.Tensor>;
  /** A copy of `model` with every variable's current value written into its initializer. */
  writeBack(model: Model): Model;
  dispose(): void;
}

/** Input slots of ops whose float initializers are statistics, not parameters. */
const FROZEN_INPUTS: Record<string, number[]> = { BatchNormalization: [3, 4] };

export function lowerToTfjs(model: Model, opts: { file?: string } = {}): LoweredModel {
  const g = model.graph;
  const ctx: LowerContext = { opset: onnxOpset(model), file: opts.file };
  for (const n of g.nodes) {
    const where = { file: opts.file, node: n.name, op: n.op };
    if (n.domain !== '' && n.domain !== 'ai.onnx') {
      throw new RampartError(`op ${n.domain}::${n.op} cannot be lowered to tfjs`, {
        ...where, expected: 'a dense ai.onnx model (lower before compiling to CSR ops)',
      });
    }
    if (!lowerings[n.op] && !referenceKernels[kernelKey(n.domain, n.op)]) {
      throw new RampartError(`op ${n.op} has no tfjs lowering`, { ...where, expected: `one of ${Object.keys(lowerings).join(', ')}` });
    }
  }

  const frozen = new Set<string>();
  for (const n of g.nodes) for (const i of FROZEN_INPUTS[n.op] ?? []) if (n.inputs[i]) frozen.add(n.inputs[i]);
  const variables: Record<string, tf.Variable> = {};
  const host: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(g.initializers)) {
    if (isFloat(t.dtype)) {
      // No variable names: tfjs registers names globally and a model may be lowered twice.
      const init = tf.tensor(Float32Array.from(t.data as ArrayLike<number>), t.dims, 'float32');
      variables[name] = tf.variable(init, !frozen.has(name));
      init.dispose(); // the variable holds its own reference to the data
    } else host[name] = t;
  }
  const trainable = Object.keys(variables).filter((n) => !frozen.has(n));
  const outputs = g.outputs.map((o) => o.name);

  function forward(feeds: Record<string, tf.Tensor | Tensor>, fopts: { outputs?: string[] } = {}): Record<string, tf.Tensor> {
    const env = new Map<string, Value>();
    for (const [k, v] of Object.entries(host)) env.set(k, v);
    for (const [k, v] of Object.entries(variables)) env.set(k, v);
    for (const inp of g.inputs) {
      if (inp.name in g.initializers) continue;
      const v = feeds[inp.name];
      if (v === undefined) throw new RampartError(`graph input '${inp.name}' was not fed`, { file: opts.file });
      env.set(inp.name, isTf(v as Value) ? (v as tf.Tensor) : asTf(v as Tensor));
    }
    const wanted = fopts.outputs ?? outputs;
    const remaining = new Set(wanted.filter((w) => !env.has(w)));
    for (const node of g.nodes) {
      if (remaining.size === 0) break;
      const ins = node.inputs.map((name) => {
        if (!name) return undefined;
        const v = env.get(name);
        if (v === undefined) {
          throw new RampartError(`input '${name}' is not produced by any earlier node, initializer or graph input`,
            { file: opts.file, node: node.name, op: node.op });
        }
        return v;
      });
      let outs: (Value | undefined)[];
      try {
        const ref = referenceKernels[kernelKey(node.domain, node.op)];
        if (ref && ins.every((v) => v === undefined || !isTf(v))) {
          outs = ref(ins as (Tensor | undefined)[], node, { opset: ctx.opset, file: ctx.file });
        } else if (lowerings[node.op]) {
          outs = lowerings[node.op](ins, node, ctx);
        } else {
          // Passed the up-front check because the reference kernels run it on host values.
          throw new RampartError(`op ${node.op} has no tfjs lowering for a computed float input`, {
            expected: `${node.op} only in shape arithmetic, or one of ${Object.keys(lowerings).join(', ')}`,
          });
        }
      } catch (e) {
        throw withContext(e, { file: opts.file, node: node.name, op: node.op });
      }
      node.outputs.forEach((name, k) => {
        const v = outs[k];
        if (name && v !== undefined) {
          env.set(name, v);
          remaining.delete(name);
        }
      });
    }
    const result: Record<string, tf.Tensor> = {};
    for (const name of wanted) {
      const v = env.get(name);
      if (v === undefined) throw new RampartError(`value '${name}' was never computed`, { file: opts.file });
      result[name] = asTf(v);
    }
    return result;
  }

  function writeBack(target: Model): Model {
    const out = structuredClone(target);
    for (const [name, v] of Object.entries(variables)) {
      const orig = out.graph.initializers[name];
      if (!orig) throw new RampartError(`initializer '${name}' is not in the model written back to`, { file: opts.file });
      if (orig.dims.join(',') !== v.shape.join(',')) {
        throw new RampartError(`initializer '${name}' has shape [${orig.dims}]`, { file: opts.file, expected: `[${v.shape}] as lowered` });
      }
      const data = allocData(orig.dtype, v.size) as Float32Array | Float64Array;
      data.set(v.dataSync() as Float32Array);
      out.graph.initializers[name] = { dtype: orig.dtype, dims: orig.dims.slice(), data };
    }
    return out;
  }

  return {
    variables, trainable, outputs,
    inputs: g.inputs.filter((i) => !(i.name in g.initializers)),
    forward, writeBack,
    dispose: () => Object.values(variables).forEach((v) => v.dispose()),
  };
}
