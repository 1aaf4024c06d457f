// LSTM, GRU and RNN (forward, reverse, bidirectional; clip; LSTM peepholes and
// input_forget; GRU either linear_before_reset) at batch 1. Attributes are parsed by
// the reference kernels' parseRecurrentConfig, so the C code and the interpreter read
// a node the same way. Each direction becomes a static const rp_rnn_dir: its W and R as
// matrix functions (dense or CSR), the biases pre-added where the gate maths allows.
import type { Node } from '../../../runtime/ir.ts';
import { withContext } from '../../../runtime/errors.ts';
import { intList } from '../../../runtime/ops/shared.ts';
import { parseRecurrentConfig, type RecurrentConfig, type RecurrentKind } from '../../../runtime/ops/recurrent/config.ts';
import { cComment, cFloat } from '../module.ts';
import type { Ref } from '../program.ts';
import { decideLayer, emitMatrix, mvFunction } from '../weights.ts';
import { readsLastStepOnly } from './last-step.ts';
import type { LowerCtx, Lowerer } from './context.ts';

const DEFAULT_ACTIVATIONS: Record<RecurrentKind, string[]> = {
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'],
};
const CELL: Record<RecurrentKind, string> = { LSTM: 'rp_lstm_cell', GRU: 'rp_gru_cell', RNN: 'rp_rnn_cell' };

export function recurrentConfig(node: Node, kind: RecurrentKind, file?: string): RecurrentConfig {
  let cfg: RecurrentConfig;
  try {
    cfg = parseRecurrentConfig(node, kind);
  } catch (e) {
    throw withContext(e, { file, node: node.name, op: node.op });
  }
  return cfg;
}

function checkActivations(c: LowerCtx, cfg: RecurrentConfig): void {
  const want = DEFAULT_ACTIVATIONS[cfg.kind];
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
    const [S, N, I] = c.dims(0);
    if (N !== 1) c.fail(`X is [${c.dims(0).join(',')}]`, '[seq, 1, input]: the C target runs batch 1');
    const Wt = c.needConst(1, 'W');
    const Rt = c.needConst(2, 'R');
    const D = cfg.numDirections;
    const G = cfg.gates;
    const H = cfg.hiddenSize ?? Rt.dims[2];
    const GH = G * H;
    if (Wt.dims.join() !== [D, GH, I].join() || Rt.dims.join() !== [D, GH, H].join()) {
      c.fail(`W is [${Wt.dims.join(',')}] and R [${Rt.dims.join(',')}]`, `W [${D},${GH},${I}] and R [${D},${GH},${H}]`);
    }
    const Bt = c.has(3) ? c.needConst(3, 'B') : undefined;
    let len = S;
    if (c.has(4)) {
      len = intList(c.node, c.needConst(4, 'sequence_lens'), 'sequence_lens')[0];
      if (!(len >= 0 && len <= S)) c.fail(`sequence_lens holds ${len}`, `an integer in [0, ${S}]`);
    }
    const Pt = kind === 'LSTM' && c.has(7) ? c.needConst(7, 'P') : undefined;

    const mats = [];
    for (let d = 0; d < D; d++) {
      mats.push({ rows: GH, cols: I, data: part(Wt.data as Float32Array, d * GH * I, GH * I) });
      mats.push({ rows: GH, cols: H, data: part(Rt.data as Float32Array, d * GH * H, GH * H) });
    }
    const csr = decideLayer(c.mod, c.node, mats, c.opts.maxDensity);
    const name = c.node.name;
    const dirs: string[] = [];
    for (let d = 0; d < D; d++) {
      const what = (m: string) => `node '${name}' (${kind}) ${m}, direction ${d}`;
      const W = emitMatrix(c.mod, `${name}:W${d}`, `${name}_W${d}`, GH, I, mats[2 * d].data, csr, what('W'));
      const R = emitMatrix(c.mod, `${name}:R${d}`, `${name}_R${d}`, GH, H, mats[2 * d + 1].data, csr, what('R'));
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
    const kindNote = `${cfg.direction}, hidden ${H}, ${csr ? 'CSR' : 'dense'} weights, seq ${S}${len < S ? ` (len ${len})` : ''}` +
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
