// The stream step of one recurrent layer (LSTM/GRU/RNN, dense or ai.rampart CSR):
// packed weights (persistent), state, bias and scratch buffers in backend memory,
// prebuilt option objects; per step it copies x_t in, projects it (a gemv per batch
// row), runs the step (WASM: one sequence kernel call for every row, the fused loop
// of recurrent.ts with one step; js: the shared cellStep) and copies Y / Y_h / Y_c
// out, allocating nothing.
import type { Model, Node, Tensor } from '../ir.ts';
import { RAMPART_DOMAIN } from '../ir.ts';
import { RampartError } from '../errors.ts';
import { CSR_OPS, readWeight } from '../csr-format.ts';
import { csrCall, csrFunctionInfo, csrRecurrentParts } from './csr-ops.ts';
import type { Backend } from './index.ts';
import type { BufferHandle, GemvOptions, Linalg, PackedMatrix, SequenceRun } from './linalg.ts';
import type { KernelContext } from '../ops/types.ts';
import { cellStep, denseRecurrentWeights, directionBuffers, type DirectionBuffers } from './recurrent.ts';
import { checkSpecInputs, directionBiases, recurrentSpec, type CellKind, type RecurrentSpec } from './recurrent-spec.ts';

export type StepFn = () => void;

/** What a step builder needs from the plan. */
export interface StepContext {
  model: Model;
  backend: Backend;
  /** Every value of the plan: frozen tensors and preallocated dynamic ones. */
  values: Map<string, Tensor>;
  /** Where a builder registers how to go back to its initial state. */
  resets: (() => void)[];
  ctx: KernelContext;
}

export function recurrentStep(sc: StepContext, node: Node, kind: CellKind, trace: Record<string, Tensor>): StepFn {
  const env = sc.backend.env!, la = env.linalg;
  const ins = node.inputs.map((x) => (x ? trace[x] ?? sc.values.get(x) : undefined));
  let spec: RecurrentSpec, W: PackedMatrix | (() => PackedMatrix), R: PackedMatrix | (() => PackedMatrix);
  let slot: (Tensor | undefined)[];
  if (node.domain === RAMPART_DOMAIN) {
    const fn = sc.model.functions.find((f) => f.name === node.op && f.domain === node.domain);
    if (!fn) throw new RampartError(`no function ${node.op}`, { node: node.name, op: node.op });
    const { get, callNode } = csrCall(csrFunctionInfo(fn), ins, node);
    for (const s of ['W', 'R']) env.pin(readWeight(get, s, callNode).key);
    const parts = csrRecurrentParts(env, CSR_OPS[callNode.op], get, callNode);
    spec = parts.spec; slot = parts.slotInputs;
    W = parts.weights.W(0, false); R = parts.weights.R(0);
  } else {
    spec = recurrentSpec(node, kind, ins[1]!, ins[2]!);
    env.pin(ins[1]!); env.pin(ins[2]!);
    const w = denseRecurrentWeights(env, node, spec, ins[1]!, ins[2]!);
    W = w.W(0, false); R = w.R(0); slot = ins;
  }
  if (spec.directions !== 1 || spec.reverse[0]) {
    throw new RampartError('cannot stream a reverse or bidirectional layer (it needs the whole sequence)', { node: node.name, op: node.op });
  }
  if (typeof W === 'function' || typeof R === 'function') throw new RampartError('internal: stream weights not pinned', { node: node.name });
  const H = spec.hidden, I = spec.input, G = spec.gates * H;
  const { seqLength: T, batch: Bn } = checkSpecInputs(spec, slot).sizes;
  if (T !== 1) throw new RampartError(`a stream step feeds ${T} time steps to this layer`, { node: node.name, op: node.op, expected: 'time dimension 1' });
  const { xb, rb } = directionBiases(spec, slot[3], 0);
  const P = kind === 'LSTM' ? slot[7] : undefined;
  const [yName, hName, cName] = node.outputs;
  // The initial states as the graph computed them at the first step (zeros when absent).
  const h0 = slot[5] ? (slot[5].data as Float32Array).slice() : new Float32Array(Bn * H);
  const c0 = kind === 'LSTM' && slot[6] ? (slot[6].data as Float32Array).slice() : new Float32Array(Bn * H);
  // g, xb, rb, P, rh, tmp, h, c, y, x, lens (one step per row, as int32).
  const hs = [Bn * G, G, rb ? G : 0, P ? 3 * H : 0, G, H, Bn * H, Bn * H, Bn * H, Bn * I, Bn].map((n) => la.alloc(n));
  const views = new Views(la, hs);
  {
    const [, vxb, vrb, vp] = views.views;
    vxb.set(xb);
    if (rb) vrb.set(rb);
    if (P) vp.set((P.data as Float32Array).subarray(0, 3 * H));
  }
  sc.resets.push(() => {
    views.refresh();
    views.views[6].set(h0);
    views.views[7].set(c0);
  });
  // Rebuilt when WASM memory grows (views detach), so a step allocates nothing.
  let buf: DirectionBuffers | null = null;
  let rows: { x: Float32Array; g: Float32Array; h: Float32Array; c: Float32Array; y: Float32Array }[] = [];
  let run: SequenceRun | null = null;
  let gen = -1;
  const projOpts: GemvOptions = {};
  const outY = yName ? (sc.values.get(yName)!.data as Float32Array) : null;
  const outH = hName ? (sc.values.get(hName)!.data as Float32Array) : null;
  const outC = cName ? (sc.values.get(cName)!.data as Float32Array) : null;
  const xName = node.inputs[0];
  const refresh = () => {
    views.refresh();
    const [g, vxb, vrb, vp, rh, tmp, h, c, y, xin, lensF] = views.views;
    buf = directionBuffers(spec, rb ? vrb : null, P ? vp : null, rh, tmp);
    rows = Array.from({ length: Bn }, (_, b) => ({
      x: xin.subarray(b * I, (b + 1) * I), g: g.subarray(b * G, (b + 1) * G),
      h: h.subarray(b * H, (b + 1) * H), c: c.subarray(b * H, (b + 1) * H), y: y.subarray(b * H, (b + 1) * H),
    }));
    const lens = new Int32Array(lensF.buffer, lensF.byteOffset, Bn).fill(1);
    // One step of every batch row in one call where the backend has a sequence kernel.
    run = la.sequence ? {
      kind, R: R as PackedMatrix, hidden: H, steps: 1, batch: Bn, lens, reverse: false, gx: g, h, c: kind === 'LSTM' ? c : null,
      y, yStep: Bn * H, yBatch: H, cell: spec.cells[0], peep: P ? vp : null, inputForget: spec.inputForget,
      rb: rb ? vrb : null, linearBeforeReset: spec.linearBeforeReset, rh, tmp,
    } : null;
    projOpts.bias = vxb;
    gen = la.generation;
  };
  return () => {
    if (gen !== la.generation) refresh();
    const v = views.views;
    const x = sc.values.get(xName)!.data as Float32Array;
    // T = 1, so [1,B,I] (layout 0) and [B,1,I] (layout 1) hold row b at b*I alike.
    const xin = v[9];
    for (let k = 0; k < Bn * I; k++) xin[k] = x[k];
    for (let b = 0; b < Bn; b++) la.gemv(W as PackedMatrix, rows[b].x, rows[b].g, projOpts);
    if (run) la.sequence!(run);
    else for (let b = 0; b < Bn; b++) cellStep(la, spec, 0, R as PackedMatrix, buf!, rows[b].g, rows[b].h, kind === 'LSTM' ? rows[b].c : null, rows[b].y);
    if (outY) outY.set(v[8]);
    if (outH) outH.set(v[6]);
    if (outC) outC.set(v[7]);
  };
}

/** Views of persistent backend buffers, re-made when WASM memory grew. */
export class Views {
  views: Float32Array[] = [];
  private gen = -1;
  constructor(private readonly la: Linalg, private readonly handles: BufferHandle[]) {
    this.refresh();
  }
  refresh(): void {
    if (this.gen === this.la.generation) return;
    this.views = this.handles.map((h) => this.la.view(h));
    this.gen = this.la.generation;
  }
}

