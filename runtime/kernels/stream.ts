// Streaming a recurrent model one time step at a time, keeping the state.
//
// `step(feeds)` takes the model's own inputs with the time dimension set to 1 and
// returns the model's outputs as if the sequence ended at this step; the recurrent
// layers carry Y_h / Y_c from step to step instead of their initial states. The
// first step after reset() runs the graph normally and records every value; from it
// a plan is built once: values that do not depend on the feeds' data (initializers,
// shapes, constants) are frozen, every other value gets a preallocated tensor, and
// each node a step function writing into it. Recurrent layers step with their packed
// weights (dense or CSR) and persistent state buffers; movement ops (Transpose,
// Squeeze, Gather, Slice, ...) run through index maps computed once by feeding the
// reference kernel an iota; elementwise ops and Gemm/MatMul write in place. So after
// the first step, a step allocates nothing — except in nodes listed by
// `allocating`, which fall back to their (allocating) kernels.
import type { Model, Node, Tensor } from '../ir.ts';
import { onnxOpset } from '../ir.ts';
import { RampartError } from '../errors.ts';
import { executeGraph } from '../executor.ts';
import { isRecurrent } from '../ops/groups.ts';
import { kernelKey, type KernelContext } from '../ops/types.ts';
import { csrOpOfNode } from '../csr-format.ts';
import type { Backend } from './index.ts';
import type { CellKind } from './recurrent-spec.ts';
import { recurrentStep, type StepContext, type StepFn } from './stream-recurrent.ts';
import { csrLinearStep, elementwiseStep, linearStep, movementStep } from './stream-ops.ts';

export class RecurrentStream {
  private plan: Plan | null = null;
  private readonly ctx: KernelContext;

  /** Batch and shapes come from the first step's feeds. */
  constructor(private readonly model: Model, private readonly backend: Backend, file?: string) {
    this.ctx = { opset: onnxOpset(model), file };
    if (model.graph.nodes.some((n) => recurrentKind(n))) return;
    throw new RampartError('the model has no LSTM, GRU or RNN layer to stream', { file, expected: 'a recurrent model' });
  }

  /** Nodes whose step still allocates (no in-place step kernel for them). */
  get allocating(): string[] {
    return this.plan ? this.plan.allocating.slice() : [];
  }

  /** Forgets the state: the next step starts from the model's initial states again. */
  reset(): void {
    this.plan?.resetState();
  }

  /**
   * One time step. Feeds have the model's input shapes with time = 1. The returned
   * tensors are reused by the next step (copy what you keep).
   */
  step(feeds: Record<string, Tensor>): Record<string, Tensor> {
    if (!this.plan) {
      // A traced run of the first step gives every value's shape and the static values.
      const g = this.model.graph;
      const keep = g.nodes.flatMap((n) => n.outputs.filter((o) => o));
      const values = executeGraph(g, feeds, this.backend.table, { functions: this.model.functions, ctx: this.ctx, keep });
      for (const [k, t] of Object.entries(feeds)) values[k] = t;
      this.plan = new Plan(this.model, this.backend, values, this.ctx);
      this.plan.resetState();
    }
    return this.plan.run(feeds);
  }
}

class Plan {
  readonly values = new Map<string, Tensor>();
  readonly allocating: string[] = [];
  private readonly steps: StepFn[] = [];
  private readonly resets: (() => void)[] = [];
  private readonly inputs: string[];
  private readonly result: Record<string, Tensor> = {};

  constructor(private readonly model: Model, private readonly backend: Backend, trace: Record<string, Tensor>, private readonly ctx: KernelContext) {
    const g = model.graph, env = backend.env!;
    this.inputs = g.inputs.map((i) => i.name);
    const dynamic = new Set<string>(this.inputs);
    for (const [k, t] of Object.entries(g.initializers)) this.values.set(k, t);
    for (const name of this.inputs) this.values.set(name, { ...trace[name] });
    for (const node of g.nodes) {
      const recurrent = recurrentKind(node) !== null;
      const isDyn = recurrent || (node.op !== 'Shape' && node.inputs.some((x) => x && dynamic.has(x)));
      for (const o of node.outputs) {
        if (!o) continue;
        const t = trace[o];
        if (!t) throw new RampartError(`value '${o}' missing from the first step`, { node: node.name, op: node.op });
        if (isDyn) {
          dynamic.add(o);
          this.values.set(o, { dtype: t.dtype, dims: t.dims.slice(), data: (t.data as Float32Array).slice() });
        } else {
          env.pin(t);
          this.values.set(o, t);
        }
      }
      if (isDyn) this.steps.push(this.compile(node, trace, dynamic));
    }
    for (const o of g.outputs) this.result[o.name] = this.values.get(o.name)!;
  }

  /** Back to the initial states (the model's initial_h / initial_c at the first step, else zeros). */
  resetState(): void {
    for (let i = 0; i < this.resets.length; i++) this.resets[i]();
  }

  run(feeds: Record<string, Tensor>): Record<string, Tensor> {
    // Plain loops: a closure or iterator here would allocate on every step.
    const inputs = this.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const name = inputs[i];
      const f = feeds[name], slot = this.values.get(name)!;
      if (!f) throw new RampartError(`input '${name}' was not fed`, { file: this.ctx.file });
      let same = f.dims.length === slot.dims.length;
      for (let k = 0; same && k < f.dims.length; k++) same = f.dims[k] === slot.dims[k];
      if (!same) throw new RampartError(`step input '${name}' has shape [${f.dims}]`, { file: this.ctx.file, expected: `[${slot.dims}] like the first step` });
      slot.data = f.data;
    }
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) steps[i]();
    return this.result;
  }

  private stepContext(): StepContext {
    return { model: this.model, backend: this.backend, values: this.values, resets: this.resets, ctx: this.ctx };
  }

  private get(name: string): Tensor | undefined {
    return name ? this.values.get(name) : undefined;
  }

  private compile(node: Node, trace: Record<string, Tensor>, dynamic: Set<string>): StepFn {
    const kind = recurrentKind(node);
    if (kind) return recurrentStep(this.stepContext(), node, kind, trace);
    const ins = node.inputs.map((x) => this.get(x));
    const outs = node.outputs.map((o) => (o ? this.values.get(o)! : undefined));
    const dyn = node.inputs.map((x) => !!x && dynamic.has(x));
    const allF32 = [...ins.filter((_, i) => dyn[i]), ...outs].every((t) => !t || t.dtype === 'float32');
    if (allF32 && node.domain === '') {
      const sc = this.stepContext();
      const f = movementStep(sc, node, ins, outs, dyn) ?? elementwiseStep(sc, node, ins, outs, dyn) ?? linearStep(sc, node, ins, outs, dyn);
      if (f) return f;
    }
    if (allF32 && csrOpOfNode(node)) {
      const f = csrLinearStep(this.stepContext(), node, ins, outs, dyn);
      if (f) return f;
    }
    // Fallback: the backend's kernel, allocating a fresh output every step.
    this.allocating.push(node.name);
    const kernel = this.backend.table[kernelKey(node.domain, node.op)];
    if (!kernel) throw new RampartError(`no kernel to stream ${node.op}`, { node: node.name, op: node.op });
    return () => {
      const r = kernel(node.inputs.map((x) => this.get(x)), node, this.ctx);
      node.outputs.forEach((o, i) => { if (o && r[i]) this.values.get(o)!.data = r[i]!.data; });
    };
  }
}

/** The cell a node runs: an ONNX LSTM/GRU/RNN or a CSR call of one; else null. */
function recurrentKind(node: Node): CellKind | null {
  const op = node.domain === '' || node.domain === 'ai.onnx' ? node.op : csrOpOfNode(node)?.op;
  return op && isRecurrent(op) ? (op as CellKind) : null;
}
