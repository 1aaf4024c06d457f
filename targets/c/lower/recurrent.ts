// LSTM, GRU and RNN (forward, reverse, bidirectional; clip; LSTM peepholes and
// input_forget; GRU either linear_before_reset; either layout) at batch 1. Attributes
// are parsed and input shapes checked by the reference kernels' parseRecurrentConfig
// and checkRecurrentShapes, so the C code and the interpreter read a node the same way.
// What this target refuses on top: a batch other than 1, weights computed at run time,
// and activations other than the op's defaults (the C cells are written for those).
// At batch 1 layout 1 has the same memory order as layout 0 (X [1, seq, input] is
// [seq, 1, input], Y [1, seq, dirs, H] is [seq, dirs, 1, H]), so nothing else changes.
// Each direction becomes a static const rp_rnn_dir: its W and R as matrix functions
// (dense or CSR), the biases pre-added where the gate maths allows.
import type { Node } from '../../../runtime/ir.ts';
import { withContext } from '../../../runtime/errors.ts';
import { parseRecurrentConfig, RECURRENT_OPS, type RecurrentConfig, type RecurrentKind } from '../../../runtime/ops/recurrent/config.ts';
import { checkRecurrentShapes, readSequenceLens, weightSizes } from '../../../runtime/ops/recurrent/inputs.ts';
import { cComment, cFloat } from '../module.ts';
import type { Ref } from '../program.ts';
import { decideLayer, emitMatrix, mvFunction, type MatrixSpec } from '../weights.ts';
import { readsLastStepOnly } from './last-step.ts';
import type { LowerCtx, Lowerer } from './context.ts';

const CELL: Record<RecurrentKind, string> = { LSTM: 'rp_lstm_cell', GRU: 'rp_gru_cell', RNN: 'rp_rnn_cell' };

/** The reference's reading of a node, with the file named in its errors. */
function withFile<T>(file: string | undefined, node: Node, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw withContext(e, { file, node: node.name, op: node.op });
  }
}

export function recurrentConfig(node: Node, kind: RecurrentKind, file?: string): RecurrentConfig {
  return withFile(file, node, () => parseRecurrentConfig(node, kind));
}

function checkActivations(c: LowerCtx, cfg: RecurrentConfig): void {
  const want = RECURRENT_OPS[cfg.kind].activations;
  for (const list of cfg.activations) {
    const names = list.map((a) => a.name);
    if (names.length !== want.length || names.some((n, i) => n !== want[i])) {
      c.fail(`activations [${names.join(', ')}] are not supported by the C target`, `the default ${cfg.kind} activations [${want.join(', ')}]`);
    }
  }
}

/** Slice [from, from + n) of a tensor's data as float32. */
function part(data: ArrayLike<number>, from: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => data[from + i]);
}

const allZero = (a: ArrayLike<number>) => Array.prototype.every.call(a, (v: number) => v === 0);

function recurrent(kind: RecurrentKind): Lowerer {
  return (c) => {
    const cfg = recurrentConfig(c.node, kind, c.opts.file);
    checkActivations(c, cfg);
    const Wt = c.needConst(1, 'W');
    const Rt = c.needConst(2, 'R');
    const dims = c.node.inputs.map((name, i) => (name ? c.dims(i) : undefined));
    const sizes = withFile(c.opts.file, c.node, () => checkRecurrentShapes(cfg, weightSizes(cfg, Wt.dims, Rt.dims), dims));
    const { seqLength: S, batch: N, inputSize: I, hidden: H } = sizes;
    if (N !== 1) c.fail(`X is [${c.dims(0).join(',')}]`, `batch 1 (${cfg.layout === 0 ? '[seq, 1, input]' : '[1, seq, input]'}): the C target runs batch 1`);
    const D = cfg.numDirections;
    const G = cfg.gates;
    const GH = G * H;
    const Bt = c.has(3) ? c.needConst(3, 'B') : undefined;
    const len = c.has(4) ? withFile(c.opts.file, c.node, () => readSequenceLens(cfg, c.needConst(4, 'sequence_lens'), sizes))[0] : S;
    const Pt = kind === 'LSTM' && c.has(7) ? c.needConst(7, 'P') : undefined;

    const mats: MatrixSpec[] = [];
    // rp_gru_cell applies R's z, r rows and its h rows in two calls: they are stored apart.
    const split = kind === 'GRU' ? [2 * H] : [];
    for (let d = 0; d < D; d++) {
      mats.push({ label: `W${d}`, rows: GH, cols: I, data: part(Wt.data as Float32Array, d * GH * I, GH * I), gates: G, hidden: H });
      mats.push({ label: `R${d}`, rows: GH, cols: H, data: part(Rt.data as Float32Array, d * GH * H, GH * H), gates: G, hidden: H, split });
    }
    const plans = decideLayer(c.mod, c.node, mats, c.opts);
    const name = c.node.name;
    const dirs: string[] = [], storage: string[] = [];
    for (let d = 0; d < D; d++) {
      const what = (m: string) => `node '${name}' (${kind}) ${m}, direction ${d}`;
      const W = emitMatrix(c.mod, `${name}:W${d}`, `${name}_W${d}`, plans[2 * d], what('W'));
      const R = emitMatrix(c.mod, `${name}:R${d}`, `${name}_R${d}`, plans[2 * d + 1], what('R'));
      storage.push(`W${d} ${W.summary}, R${d} ${R.summary}`);
      const wmv = mvFunction(c.mod, W, `${name}_W${d}`);
      const rmv = mvFunction(c.mod, R, `${name}_R${d}`);
      let b = 'NULL', rbh = 'NULL', p = 'NULL';
      if (Bt) {
        const B = Bt.data as Float32Array;
        const bias = new Float32Array(GH);
        const lbr = kind === 'GRU' && cfg.linearBeforeReset;
        for (let j = 0; j < GH; j++) {
          const wb = B[d * 2 * GH + j], rb = B[d * 2 * GH + GH + j];
          // GRU linear_before_reset keeps Rbh inside the reset product: it cannot be pre-added.
          bias[j] = lbr && j >= 2 * H ? wb : wb + rb;
        }
        b = c.mod.cached(`bias:${name}:${d}`, () => c.mod.array(`${name}_b${d}`, 'float', bias, 'weight', what('bias')));
        if (lbr) rbh = c.mod.cached(`rbh:${name}:${d}`, () => c.mod.array(`${name}_rbh${d}`, 'float', part(B, d * 2 * GH + GH + 2 * H, H), 'weight', what('Rbh')));
      }
      if (Pt) p = c.mod.cached(`p:${name}:${d}`, () => c.mod.array(`${name}_P${d}`, 'float', part(Pt.data as Float32Array, d * 3 * H, 3 * H), 'weight', what('peepholes')));
      dirs.push(`{ ${I}, ${H}, ${wmv}, ${rmv}, ${b}, ${rbh}, ${p}, ${cFloat(cfg.clip ?? 0)}, ${cfg.inputForget ? 1 : 0}, ${cfg.linearBeforeReset ? 1 : 0} }`);
    }
    const dsym = c.mod.cached(`dirs:${name}`, () => {
      const s = c.mod.symbol(`${name}_dirs`);
      c.mod.use('rp_rnn_dir', CELL[kind], 'rp_recurrent');
      c.mod.decl(`/* node '${cComment(name)}' (${kind}, ${cfg.direction}): input_size, hidden, W, R, b, rbh, p, clip, input_forget, linear_before_reset */\n` +
        `static const rp_rnn_dir ${s}[${D}] = {\n  ${dirs.join(',\n  ')}\n};`, D * 40);
      return s;
    });

    const x = c.x(0);
    // Pairs (state buffer, its initial value or null for zeros), copied in before the run.
    const inits: [Ref, Ref | null][] = [];
    const state = (out: number, input: number, which: 'h' | 'c'): Ref => {
      const t = c.has(input) ? c.constant(input) : undefined;
      const nonZero = t !== undefined && !allZero(t.data as Float32Array);
      if (c.stream) {
        if (c.isRuntime(input)) c.fail(`initial_${which} is computed at run time`, 'constant initial states for streaming');
        const r = c.stream.state(c.prog, c.node, which, D * H, nonZero ? Float32Array.from(t.data as Float32Array) : null);
        if (c.node.outputs[out]) c.alias(out, r);
        return r;
      }
      const src = c.isRuntime(input) ? c.x(input) : nonZero ? c.prog.constant(c.node.inputs[input], t) : null;
      const r = c.wanted(out) ? c.out(out) : c.prog.temp(D * H);
      inits.push([r, src]);
      return r;
    };
    const h = state(1, 5, 'h');
    const cs = kind === 'LSTM' ? state(2, 6, 'c') : null;
    // Y read only at its last step (PyTorch's out[:, -1]): a view ending on h, never stored.
    const lastOnly = c.wanted(0) && D === 1 && cfg.direction === 'forward' && len === S && readsLastStepOnly(c, c.node.outputs[0], S);
    if (lastOnly) c.alias(0, { buf: h.buf, offset: h.offset - (S - 1) * H, size: S * H });
    const y = c.wanted(0) && !lastOnly ? c.out(0) : null;
    const scratch = c.prog.temp(kind === 'GRU' ? 4 * H : GH);
    const reverse = cfg.direction === 'reverse' ? 1 : 0;
    const kindNote = `${cfg.direction}, hidden ${H}, weights ${storage.join('; ')}, seq ${S}${len < S ? ` (len ${len})` : ''}` +
      (lastOnly ? ', Y read at its last step only (= h, not stored)' : '');
    c.prog.step(c.describe(kindNote), (p) => {
      const lines: string[] = [];
      for (const [dst, src] of inits) {
        lines.push(src ? `memcpy(${p(dst)}, ${p(src)}, ${D * H} * sizeof(float));` : `memset(${p(dst)}, 0, ${D * H} * sizeof(float));`);
      }
      lines.push(`rp_recurrent(${CELL[kind]}, ${dsym}, ${D}, ${reverse}, ${S}, ${len}, ${p(x)}, ${y ? p(y) : 'NULL'}, ${p(h)}, ${cs ? p(cs) : 'NULL'}, ${p(scratch)});`);
      return lines;
    });
  };
}

export const recurrentLowerers: Record<string, Lowerer> = {
  LSTM: recurrent('LSTM'), GRU: recurrent('GRU'), RNN: recurrent('RNN'),
};
