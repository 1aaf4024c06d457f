// Hand-built IR models for the C target tests: the ops and attribute corners the
// PyTorch fixtures do not reach (reverse / bidirectional / clipped recurrent layers,
// GRU linear_before_reset=0, peepholes, sequence_lens, pools with padding and ceil
// mode, an unfolded BatchNormalization, broadcasting binaries, Softmax / LogSoftmax,
// Concat, Slice, general Transpose, grouped Conv, Pad). Their oracle is onnxruntime on the same model.
import type { Attr, Dim, Model, Node, Tensor } from '../../runtime/ir.ts';
import { getMatrix, prunableWeights, setMatrix } from '../../src/ir/layers.ts';
import { rng } from '../../src/util/random.ts';

export { rng };

const I = (value: number): Attr => ({ type: 'int', value });
const F = (value: number): Attr => ({ type: 'float', value });
const IS = (value: number[]): Attr => ({ type: 'ints', value });
const S = (value: string): Attr => ({ type: 'string', value });

class Builder {
  readonly inits: Record<string, Tensor> = {};
  readonly nodes: Node[] = [];
  private r: (lo?: number, hi?: number) => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  w(name: string, dims: number[], scale = 0.5): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.inits[name] = { dtype: 'float32', dims, data: Float32Array.from({ length: n }, () => this.r(-scale, scale)) };
    return name;
  }
  pos(name: string, dims: number[]): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.inits[name] = { dtype: 'float32', dims, data: Float32Array.from({ length: n }, () => this.r(0.5, 1.5)) };
    return name;
  }
  ints(name: string, values: number[], dims = [values.length]): string {
    this.inits[name] = { dtype: 'int64', dims, data: Float64Array.from(values) };
    return name;
  }
  int32(name: string, values: number[]): string {
    this.inits[name] = { dtype: 'int32', dims: [values.length], data: Int32Array.from(values) };
    return name;
  }
  op(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): string {
    this.nodes.push({ name: `${op}_${this.nodes.length}`, op, domain: '', inputs, outputs, attrs });
    return outputs[0];
  }
  model(name: string, inputs: [string, Dim[]][], outputs: string[], opset = 17): Model {
    return {
      irVersion: 8, opsetImports: [{ domain: '', version: opset }], producerName: 'rampart-test', producerVersion: '1',
      functions: [], metadata: {},
      graph: {
        name, initializers: this.inits, nodes: this.nodes, valueInfo: {},
        inputs: inputs.map(([n, shape]) => ({ name: n, dtype: 'float32', shape })),
        outputs: outputs.map((n) => ({ name: n, dtype: 'float32', shape: null })),
      },
    };
  }
}

/** Dense layers, activations, broadcasting binaries, Concat, Slice, Softmax and LogSoftmax. */
export function mlpOps(): Model {
  const b = new Builder(11);
  let x = b.op('MatMul', ['x', b.w('W1', [12, 16])], ['mm']);
  x = b.op('Add', [x, b.w('b1', [16])], ['a1']);
  const l = b.op('LeakyRelu', [x], ['lr'], { alpha: F(0.1) });
  const s = b.op('Sigmoid', [x], ['sg']);
  const t = b.op('Tanh', [x], ['th']);
  const cat = b.op('Concat', [l, s, t, b.w('k', [1, 4])], ['cat'], { axis: I(1) });
  const g = b.op('Gemm', [cat, b.w('W2', [52, 8]), b.w('C2', [1, 8])], ['g'], { alpha: F(0.5), beta: F(2) });
  const h = b.op('HardSigmoid', [g], ['hs'], { alpha: F(0.3), beta: F(0.4) });
  const m = b.op('Mul', [h, b.w('m', [8])], ['mul']);
  const d = b.op('Div', [b.pos('one', [1]), b.op('Add', [m, b.pos('two', [1])], ['m2'])], ['div']);
  const sub = b.op('Sub', [b.w('s0', [1, 8]), d], ['sub']);
  const sl = b.op('Slice', [sub, b.ints('st', [-2]), b.ints('en', [-9]), b.ints('ax', [1]), b.ints('sp', [-2])], ['sl']);
  b.op('Softmax', [sub], ['prob'], { axis: I(-1) });
  b.op('LogSoftmax', [b.op('Relu', [sl], ['rl'])], ['logp'], { axis: I(1) });
  return b.model('mlp_ops', [['x', ['N', 12]]], ['prob', 'logp']);
}

/** 2-D convs with strides, asymmetric pads and dilation, pools, an unfolded BatchNormalization. */
export function cnnOps(): Model {
  const b = new Builder(22);
  let x = b.op('Conv', ['x', b.w('c1', [3, 2, 3, 3]), b.w('c1b', [3])], ['c1o'], { strides: IS([2, 1]), pads: IS([1, 0, 1, 2]) });
  x = b.op('Relu', [x], ['r1']);
  x = b.op('AveragePool', [x], ['ap'], { kernel_shape: IS([3, 3]), strides: IS([1, 1]), auto_pad: S('SAME_LOWER'), count_include_pad: I(1) });
  x = b.op('Conv', [x, b.w('c2', [4, 3, 2, 2])], ['c2o'], { dilations: IS([2, 2]), pads: IS([1, 1, 1, 1]) });
  x = b.op('Relu', [x], ['r2']);
  x = b.op('BatchNormalization', [x, b.pos('bs', [4]), b.w('bb', [4]), b.w('bm', [4]), b.pos('bv', [4])], ['bn'], { epsilon: F(1e-3) });
  const mp = b.op('MaxPool', [x], ['mp'], { kernel_shape: IS([2, 2]), strides: IS([2, 2]), ceil_mode: I(1) });
  const ap2 = b.op('AveragePool', [x], ['ap2'], { kernel_shape: IS([3, 2]), strides: IS([2, 2]), pads: IS([0, 1, 1, 0]), ceil_mode: I(1) });
  const gp = b.op('GlobalAveragePool', [mp], ['gp']);
  const nhwc = b.op('Transpose', [ap2], ['nhwc'], { perm: IS([0, 2, 3, 1]) });
  const f1 = b.op('Flatten', [gp], ['f1'], { axis: I(1) });
  const f2 = b.op('Flatten', [nhwc], ['f2'], { axis: I(1) });
  const cat = b.op('Concat', [f1, f2], ['cat'], { axis: I(1) });
  b.op('Gemm', [cat, b.w('fc', [5, 4 + 3 * 5 * 4]), b.w('fcb', [5])], ['y'], { transB: I(1) });
  return b.model('cnn_ops', [['x', ['N', 2, 9, 9]]], ['y']);
}

/** Grouped and depthwise Convs; Pads with a fill value, and by axes (opset 18). */
export function groupPadOps(): Model {
  const b = new Builder(55);
  let x = b.op('Conv', ['x', b.w('g1', [4, 1, 3, 3]), b.w('g1b', [4])], ['g1o'], { group: I(2), strides: IS([2, 2]), pads: IS([1, 1, 1, 1]) });
  x = b.op('Pad', [x, b.ints('p1', [0, 0, 1, 0, 0, 0, 0, 2]), b.w('pv', [])], ['p1o']);
  x = b.op('Conv', [x, b.w('dw', [4, 1, 2, 2])], ['dwo'], { group: I(4) });
  x = b.op('Pad', [x, b.ints('p2', [2, 1]), '', b.ints('pax', [-1])], ['p2o']);
  b.op('Tanh', [x], ['y']);
  return b.model('group_pad_ops', [['x', ['N', 2, 9, 9]]], ['y'], 18);
}

/**
 * Time-major recurrent stack: bidirectional clipped GRU (linear_before_reset 0, non-zero
 * initial_h), a reverse RNN, an LSTM with peepholes and sequence_lens < seq.
 */
export function rnnOps(): Model {
  const b = new Builder(33);
  const [T, In, Hg, Hr, Hl] = [5, 4, 6, 3, 5];
  b.op('GRU', ['x', b.w('gW', [2, 3 * Hg, In]), b.w('gR', [2, 3 * Hg, Hg]), b.w('gB', [2, 6 * Hg]), '', b.w('gh0', [2, 1, Hg])],
    ['gy', 'gyh'], { direction: S('bidirectional'), hidden_size: I(Hg), clip: F(0.8) });
  const tr = b.op('Transpose', ['gy'], ['gyt'], { perm: IS([0, 2, 1, 3]) });
  const rs = b.op('Reshape', [tr, b.ints('shape', [T, 1, 2 * Hg])], ['gyr']);
  b.op('RNN', [rs, b.w('rW', [1, Hr, 2 * Hg]), b.w('rR', [1, Hr, Hr]), b.w('rB', [1, 2 * Hr])], ['ry', 'ryh'], { direction: S('reverse'), hidden_size: I(Hr) });
  const sq = b.op('Squeeze', ['ry', b.ints('ax1', [1])], ['rys']);
  b.op('LSTM', [sq, b.w('lW', [1, 4 * Hl, Hr]), b.w('lR', [1, 4 * Hl, Hl]), b.w('lB', [1, 8 * Hl]), b.int32('len', [T - 1]), '', '', b.w('lP', [1, 3 * Hl])],
    ['', 'lyh', 'lyc'], { hidden_size: I(Hl) });
  const flat = ['gyh', 'ryh', 'lyh', 'lyc'].map((v) => b.op('Flatten', [v], [`${v}_f`], { axis: I(0) }));
  b.op('Concat', flat, ['out'], { axis: I(1) });
  return b.model('rnn_ops', [['x', ['T', 1, In]]], ['out']);
}

/**
 * Magnitude pruning: zero the `fraction` smallest |w| of each prunable matrix (per
 * direction), ties broken by position. Returns a new model.
 */
export function pruneModel(src: Model, fraction: number): Model {
  const model: Model = structuredClone(src);
  for (const pw of prunableWeights(model)) {
    for (let d = 0; d < pw.directions; d++) {
      const m = getMatrix(model, pw, d);
      const order = Array.from(m.keys()).sort((a, b) => Math.abs(m[a]) - Math.abs(m[b]) || a - b);
      const k = Math.floor(fraction * m.length);
      for (let i = 0; i < k; i++) m[order[i]] = 0;
      setMatrix(model, pw, d, m);
    }
  }
  return model;
}

/**
 * A block mask: `br` x `bc` blocks. Natural: br consecutive rows inside one segment (a
 * gate of a recurrent weight, a group of a Conv, else the whole matrix; the last block
 * of a segment is shorter when br does not divide it), bc consecutive columns (the last
 * group shorter). Gate-fused (recurrent weights only; others fall back to natural):
 * br / gates consecutive units with all their gates, rows {u + g*H}, one column.
 */
export interface BlockMask { br: number; bc: number; layout: 'natural' | 'gate-fused' }

/** Each block of a rows x cols matrix as its flat indices, written out independently of runtime/bsr.ts. */
export function maskBlocks(rows: number, cols: number, mask: BlockMask, segment: number, gates: number, hidden: number | null): number[][] {
  const out: number[][] = [];
  const rowSets: number[][] = [];
  if (mask.layout === 'gate-fused' && hidden !== null && gates > 1) {
    const per = mask.br / gates;
    for (let d0 = 0; d0 < rows; d0 += gates * hidden) {
      for (let u0 = 0; u0 < hidden; u0 += per) {
        const set: number[] = [];
        for (let u = u0; u < Math.min(hidden, u0 + per); u++) for (let g = 0; g < gates; g++) set.push(d0 + g * hidden + u);
        rowSets.push(set);
      }
    }
  } else {
    for (let s0 = 0; s0 < rows; s0 += segment) {
      for (let r0 = s0; r0 < s0 + segment; r0 += mask.br) rowSets.push(Array.from({ length: Math.min(mask.br, s0 + segment - r0) }, (_, j) => r0 + j));
    }
  }
  for (const set of rowSets) {
    for (let c0 = 0; c0 < cols; c0 += mask.bc) {
      const block: number[] = [];
      for (const r of set) for (let c = c0; c < Math.min(cols, c0 + mask.bc); c++) block.push(r * cols + c);
      out.push(block);
    }
  }
  return out;
}

/**
 * Block pruning by magnitude: in each prunable matrix (per direction, or only those of
 * the nodes named in `layers`), zero the `fraction` of blocks with the smallest sum of
 * squares (ties by position). Returns a new model and the blocks kept per matrix.
 */
export function blockPruneModel(src: Model, fraction: number, mask: BlockMask, layers?: string[]): { model: Model; kept: Map<string, number> } {
  const model: Model = structuredClone(src);
  const kept = new Map<string, number>();
  for (const pw of prunableWeights(model)) {
    if (layers && !layers.includes(pw.layer)) continue;
    const gates = pw.gates?.length ?? 1;
    const segment = pw.hidden ?? pw.rows / pw.groups;
    for (let d = 0; d < pw.directions; d++) {
      const m = getMatrix(model, pw, d);
      const blocks = maskBlocks(pw.rows, pw.cols, mask, segment, gates, pw.hidden);
      const score = blocks.map((b) => b.reduce((a, i) => a + m[i] * m[i], 0));
      const order = blocks.map((_, i) => i).sort((a, b) => score[a] - score[b] || a - b);
      const k = Math.floor(fraction * blocks.length);
      for (let i = 0; i < k; i++) for (const e of blocks[order[i]]) m[e] = 0;
      kept.set(`${pw.layer}:${pw.graph}${d}`, blocks.length - k);
      setMatrix(model, pw, d, m);
    }
  }
  return { model, kept };
}

/** One recurrent layer over x [T, 1, In], output Y_h (a forward one streams). */
export function recurrentModel(kind: 'LSTM' | 'GRU' | 'RNN', In: number, H: number, seed: number, attrs: Record<string, Attr> = {}): Model {
  const b = new Builder(seed);
  const G = { LSTM: 4, GRU: 3, RNN: 1 }[kind];
  const D = attrs.direction?.value === 'bidirectional' ? 2 : 1;
  b.op(kind, ['x', b.w('W', [D, G * H, In]), b.w('R', [D, G * H, H]), b.w('B', [D, 2 * G * H])], ['', 'yh'], { hidden_size: I(H), ...attrs });
  return b.model(`block_${kind.toLowerCase()}`, [['x', ['T', 1, In]]], ['yh']);
}

/** Gemm (transB, bias) then MatMul: x [N, K] -> [N, N1] -> [N, N2]. */
export function linearModel(K: number, N1: number, N2: number, seed: number): Model {
  const b = new Builder(seed);
  const g = b.op('Gemm', ['x', b.w('W1', [N1, K]), b.w('b1', [N1])], ['g'], { transB: I(1) });
  b.op('MatMul', [b.op('Tanh', [g], ['t']), b.w('W2', [N1, N2])], ['y']);
  return b.model('block_linear', [['x', ['N', K]]], ['y']);
}

/** A Conv of 12 output channels (3x3, pad 1), then a grouped Conv (2 groups of 6). */
export function convModel(seed: number): Model {
  const b = new Builder(seed);
  const c1 = b.op('Conv', ['x', b.w('c1', [12, 3, 3, 3]), b.w('c1b', [12])], ['c1o'], { pads: IS([1, 1, 1, 1]) });
  const r = b.op('Relu', [c1], ['r1']);
  b.op('Conv', [r, b.w('c2', [12, 6, 2, 2])], ['y'], { group: I(2), strides: IS([2, 2]) });
  return b.model('block_conv', [['x', ['N', 3, 7, 7]]], ['y']);
}

/**
 * Clip in both forms: opset 6 attributes (both, one, none: unbounded) in `clipAttrOps`;
 * opset 13 inputs (both, min only, max only through an empty name) in `clipInputOps`,
 * over a Relu / Tanh mix so values land on both sides of every bound.
 */
export function clipAttrOps(): Model {
  const b = new Builder(61);
  const x = b.op('MatMul', ['x', b.w('W', [6, 12], 1.5)], ['mm']);
  const c1 = b.op('Clip', [x], ['c1'], { min: F(-0.3), max: F(0.6) });
  const c2 = b.op('Clip', [x], ['c2'], { max: F(0.1) });
  const c3 = b.op('Clip', [x], ['c3']);
  b.op('Concat', [c1, c2, c3], ['y'], { axis: I(1) });
  return b.model('clip_attr_ops', [['x', ['N', 6]]], ['y'], 6);
}

export function clipInputOps(): Model {
  const b = new Builder(62);
  const x = b.op('MatMul', ['x', b.w('W', [6, 12], 1.5)], ['mm']);
  const lo = b.w('lo', [], 0.2), hi = b.pos('hi', []);
  const c1 = b.op('Clip', [x, lo, hi], ['c1']);
  const c2 = b.op('Clip', [x, lo], ['c2']);
  const c3 = b.op('Clip', [b.op('Tanh', [x], ['t']), '', b.w('hi2', [1], 0.5)], ['c3']);
  b.op('Concat', [c1, c2, c3], ['y'], { axis: I(1) });
  return b.model('clip_input_ops', [['x', ['N', 6]]], ['y'], 13);
}

/**
 * 1-D Conv and pools over x [N, 5, 20]: explicit asymmetric pads, a stride and a dilation;
 * auto_pad SAME_UPPER (onnxruntime refuses it with dilation) with an even kernel; grouped; MaxPool with ceil_mode; AveragePool with padding
 * counted; GlobalAveragePool over the length.
 */
export function conv1dOps(): Model {
  const b = new Builder(63);
  let x = b.op('Conv', ['x', b.w('k1', [6, 5, 3]), b.w('k1b', [6])], ['c1'], { pads: IS([2, 1]), strides: IS([2]), dilations: IS([2]) });
  x = b.op('Relu', [x], ['r1']);
  x = b.op('Conv', [x, b.w('k2', [6, 3, 2])], ['c2'], { auto_pad: S('SAME_UPPER'), group: I(2) });
  const mp = b.op('MaxPool', [x], ['mp'], { kernel_shape: IS([2]), strides: IS([2]), ceil_mode: I(1) });
  const ap = b.op('AveragePool', [x], ['ap'], { kernel_shape: IS([3]), pads: IS([1, 1]), count_include_pad: I(1) });
  const gp = b.op('GlobalAveragePool', [ap], ['gp']);
  const f1 = b.op('Flatten', [mp], ['f1'], { axis: I(1) });
  const f2 = b.op('Flatten', [gp], ['f2'], { axis: I(1) });
  b.op('Concat', [f1, f2], ['y'], { axis: I(1) });
  return b.model('conv1d_ops', [['x', ['N', 5, 20]]], ['y']);
}
