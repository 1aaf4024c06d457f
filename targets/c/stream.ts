// The streaming API of recurrent models: rampart_stream_step(x_t, out) feeds one time
// step and returns the output "as if the sequence ended here"; rampart_stream_reset()
// restores the initial states.
//
// How: the same model is prepared a second time with the input's time axis bound to 1,
// and lowered with every recurrent node keeping h (and c) in a static state array
// instead of starting from initial_h. That is only right when the model is causal and
// reads the last step (Y_h, or Y[-1]); rather than pattern-match graphs, the compiler
// checks it: it runs the reference interpreter step by step, threading the states, and
// compares the outputs after seq steps with one run over the whole sequence. Anything
// else (reverse or bidirectional layers, pooling over time, a fixed time index, state
// fed from graph inputs) gets no streaming API and a note saying why.
import type { Model, Node, Tensor } from '../../runtime/ir.ts';
import { RampartError } from '../../runtime/errors.ts';
import { sizeOf, stridesOf } from '../../runtime/tensor.ts';
import { executeGraph } from '../../runtime/executor.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';
import { attrInts, attrString } from '../../runtime/ops/attrs.ts';
import { isRecurrent } from '../../runtime/ops/groups.ts';
import { mulberry32 } from '../../src/util/random.ts';
import type { StreamBinding } from './lower/context.ts';
import { lowerProgram } from './lower/index.ts';
import { CModule } from './module.ts';
import type { ResolvedOptions } from './options.ts';
import { prepare, type Prepared } from './prepare.ts';
import type { CProgram, Ref } from './program.ts';

export interface StreamState {
  symbol: string;
  size: number;
  /** Reset value (null: zeros) as a static const array name. */
  init: string | null;
  node: string;
  which: 'h' | 'c';
}

export interface StreamProgram {
  prog: CProgram;
  prep: Prepared;
  states: StreamState[];
  input: { name: string; axis: number };
}

class Binding implements StreamBinding {
  readonly states: StreamState[] = [];
  constructor(private readonly mod: CModule) {}
  state(prog: CProgram, node: Node, which: 'h' | 'c', size: number, init: Float32Array | null): Ref {
    const symbol = this.mod.symbol(`rp_state_${node.name}_${which}`);
    const initSym = init ? this.mod.array(`${node.name}_${which}0`, 'float', init, 'other', `node '${node.name}': initial ${which}`) : null;
    this.states.push({ symbol, size, init: initSym, node: node.name, which });
    return prog.state(symbol, size);
  }
}

const SAME_AXIS = new Set(['Identity', 'Dropout', 'Cast', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid']);
const RESHAPES = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

/** Follows axis 0 (time) of the first recurrent node's X back to a graph input. */
function traceTimeAxis(prep: Prepared): { name: string; axis: number } | string {
  const rec = prep.runtime.filter((n) => isRecurrent(n.op));
  if (rec.length === 0) return 'no recurrent node';
  const back = rec.find((n) => attrString(n, 'direction', 'forward') !== 'forward');
  if (back) return `node '${back.name}' runs ${attrString(back, 'direction', 'forward')}: it needs the whole sequence`;
  if (prep.inputs.length !== 1) return `the model has ${prep.inputs.length} graph inputs (streaming feeds one)`;
  const producer = new Map<string, Node>();
  for (const n of prep.model.graph.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  let name = rec[0].inputs[0];
  let axis = 0;
  for (;;) {
    if (name === prep.inputs[0].name) return { name, axis };
    const node = producer.get(name);
    if (!node) return `the time axis of '${rec[0].name}' does not come from the graph input`;
    const inD = prep.dims.get(node.inputs[0])!;
    const outD = prep.dims.get(name)!;
    if (node.op === 'Transpose') axis = (attrInts(node, 'perm') ?? inD.map((_, i) => inD.length - 1 - i))[axis];
    else if (RESHAPES.has(node.op)) {
      const before = sizeOf(outD.slice(0, axis));
      const k = inD.findIndex((d, i) => d === outD[axis] && sizeOf(inD.slice(0, i)) === before);
      if (k < 0) return `the time axis is merged with another by '${node.name}' (${node.op})`;
      axis = k;
    } else if (!SAME_AXIS.has(node.op)) return `the time axis passes through '${node.name}' (${node.op})`;
    name = node.inputs[0];
  }
}

/** Deterministic inputs in [0, 1) for the check. */
function probeInput(n: number): Float32Array {
  const next = mulberry32(0x9e3779b9);
  return Float32Array.from({ length: n }, () => next());
}

/** Time step t of x (dims, time axis) as a tensor with that axis of size 1. */
function stepOf(x: Float32Array, dims: number[], axis: number, t: number): Tensor {
  const st = stridesOf(dims);
  const od = dims.slice();
  od[axis] = 1;
  const out = new Float32Array(sizeOf(od));
  const ost = stridesOf(od);
  for (let i = 0; i < out.length; i++) {
    let src = t * st[axis];
    for (let d = 0; d < od.length; d++) src += Math.floor(i / ost[d]) % od[d] * st[d];
    out[i] = x[src];
  }
  return { dtype: 'float32', dims: od, data: out };
}

/** Null when stepping the model seq times equals one run over the sequence, else why not. */
function checkStepping(full: Prepared, step: Prepared, input: string, axis: number): string | null {
  const dims = full.inputs[0].dims;
  const S = dims[axis];
  const x = probeInput(sizeOf(dims));
  const ctx = { opset: full.opset, file: full.file };
  const want = executeGraph(full.model.graph, { [input]: { dtype: 'float32', dims, data: x } }, referenceKernels, { ctx });
  const m: Model = structuredClone(step.model);
  const states: { in: string; out: string; value: Tensor }[] = [];
  for (const node of m.graph.nodes) {
    if (!isRecurrent(node.op) || !step.runtime.some((n) => n.name === node.name)) continue;
    const slots: [number, number][] = node.op === 'LSTM' ? [[5, 1], [6, 2]] : [[5, 1]];
    for (const [i, o] of slots) {
      const D = attrString(node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
      const H = step.dims.get(node.inputs[2])![2];
      const init = node.inputs[i] ? step.consts.get(node.inputs[i]) : undefined;
      if (node.inputs[i] && !init) return `initial state ${i} of '${node.name}' is computed at run time`;
      const value: Tensor = init ?? { dtype: 'float32', dims: [D, 1, H], data: new Float32Array(D * H) };
      const inName = `__rampart_state_in_${states.length}`;
      while (node.inputs.length <= i) node.inputs.push('');
      node.inputs[i] = inName;
      if (!node.outputs[o]) {
        while (node.outputs.length <= o) node.outputs.push('');
        node.outputs[o] = `__rampart_state_out_${states.length}`;
      }
      m.graph.inputs.push({ name: inName, dtype: 'float32', shape: value.dims.slice() });
      m.graph.outputs.push({ name: node.outputs[o], dtype: 'float32', shape: null });
      states.push({ in: inName, out: node.outputs[o], value });
    }
  }
  let got: Record<string, Tensor> = {};
  for (let t = 0; t < S; t++) {
    const feeds: Record<string, Tensor> = { [input]: stepOf(x, dims, axis, t) };
    for (const s of states) feeds[s.in] = s.value;
    got = executeGraph(m.graph, feeds, referenceKernels, { ctx });
    for (const s of states) s.value = got[s.out];
  }
  for (const o of full.outputs) {
    const a = want[o.name].data as Float32Array, b = got[o.name]?.data as Float32Array | undefined;
    if (!b || b.length !== a.length) return `output '${o.name}' has another shape when stepped`;
    let scale = 1, diff = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(a[i]));
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    if (!(diff <= 1e-4 * scale)) return `output '${o.name}' after ${S} single steps differs from the whole-sequence run (it reads more than the last step)`;
  }
  return null;
}

/** The streaming program, or the reason there is none. */
export function buildStream(src: Model, full: Prepared, mod: CModule, opts: ResolvedOptions, arenaSymbol: string): StreamProgram | string {
  const traced = traceTimeAxis(full);
  if (typeof traced === 'string') return traced;
  const dims = full.inputs[0].dims.slice();
  dims[traced.axis] = 1;
  let step: Prepared;
  try {
    step = prepare(src, opts, { [traced.name]: dims });
    const why = checkStepping(full, step, traced.name, traced.axis);
    if (why) return why;
  } catch (e) {
    if (e instanceof RampartError) return `a one-step model does not run: ${e.message}`;
    throw e;
  }
  // A dry run into a throwaway module first: a failure half-way must not leave unused
  // arrays in the real file (-Wall -Werror rejects unused static data).
  try {
    lowerProgram(step, new CModule(opts.prefix), opts, arenaSymbol, new Binding(new CModule(opts.prefix)));
  } catch (e) {
    if (e instanceof RampartError) return e.message;
    throw e;
  }
  const binding = new Binding(mod);
  const prog = lowerProgram(step, mod, opts, arenaSymbol, binding);
  return { prog, prep: step, states: binding.states, input: traced };
}
