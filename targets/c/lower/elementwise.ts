// Elementwise ops: activations, Add/Sub/Mul/Div with one operand broadcast, and a
// BatchNormalization that could not be folded into a Conv (a per-channel affine).
// Each writes over its input when nothing reads that input later (in place), which
// halves the SRAM of a conv -> relu chain. Also the cheap ops of PyTorch's edge exports:
// Erf, HardSwish, Where with a constant condition, Expand (a strided copy with stride 0
// on broadcast axes), ReduceMean over one run of adjacent axes, LayerNormalization with
// constant Scale/B.
import { sizeOf, stridesOf } from '../../../runtime/tensor.ts';
import { attrFloat, attrInt } from '../../../runtime/ops/attrs.ts';
import { reduceAxes } from '../../../runtime/ops/reduce.ts';
import { broadcastIndex, normAxis } from '../../../runtime/ops/shared.ts';
import { cFloat } from '../module.ts';
import type { Ref } from '../program.ts';
import type { LowerCtx, Lowerer } from './context.ts';
import { stridedCopy } from './layout.ts';

function unary(helper: string, args: (c: LowerCtx) => string = () => ''): Lowerer {
  return (c) => {
    const x = c.x(0);
    const y = c.outInPlace(0, 0);
    const n = sizeOf(c.outDims(0));
    c.mod.use(helper);
    const extra = args(c);
    c.prog.step(c.describe(x.buf === y.buf ? 'in place' : ''), (p) => [`${helper}(${p(x)}, ${p(y)}, ${n}${extra});`]);
  };
}

/**
 * For b broadcast to `out`: b's non-1 axes (right-aligned) must be one contiguous run
 * equal to out's there; then b's index is (i / div) % mod. Null when b is not that shape.
 */
function runPattern(out: number[], b: number[]): { div: number; mod: number } | null {
  const bd = [...new Array<number>(out.length - b.length).fill(1), ...b];
  const axes = bd.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  if (axes.length === 0) return { div: 1, mod: 1 };
  const lo = axes[0], hi = axes[axes.length - 1];
  for (let i = lo; i <= hi; i++) if (bd[i] !== out[i]) return null;
  return { div: sizeOf(out.slice(hi + 1)), mod: sizeOf(out.slice(lo, hi + 1)) };
}

const OPS: Record<string, [string, string]> = {
  Add: ['RP_ADD', 'RP_ADD'], Sub: ['RP_SUB', 'RP_RSUB'], Mul: ['RP_MUL', 'RP_MUL'], Div: ['RP_DIV', 'RP_RDIV'],
};

const binary: Lowerer = (c) => {
  const od = c.outDims(0);
  const n = sizeOf(od);
  const full = [0, 1].filter((i) => sizeOf(c.dims(i)) === n && c.dims(i).length <= od.length);
  if (full.length === 0) c.fail(`neither operand has the output's shape [${od.join(',')}]`, 'one operand of the output shape, the other broadcast to it');
  // a: the full-size operand (a runtime one when both are); b: the other, broadcast.
  const ai = full.length === 2 && !c.isRuntime(0) ? 1 : full[0];
  const bi = 1 - ai;
  const a = c.x(ai);
  let b: Ref;
  let pat = runPattern(od, c.dims(bi));
  if (pat) b = c.x(bi);
  else {
    const t = c.constant(bi) ?? c.fail(`operand ${bi} [${c.dims(bi).join(',')}] broadcasts over non-adjacent axes of [${od.join(',')}]`, 'a constant operand, or one whose non-1 axes are adjacent');
    const map = broadcastIndex(od, t.dims);
    const src = t.data as Float32Array;
    b = c.prog.constant(`${c.node.inputs[bi]}_bcast`, { dtype: 'float32', dims: od, data: Float32Array.from(map, (k) => src[k]) });
    pat = { div: 1, mod: n };
  }
  // Never in place over a buffer b also reads: b's broadcast index runs behind i.
  const y = b.buf === a.buf ? c.out(0) : c.outInPlace(0, ai);
  const op = OPS[c.node.op][ai === 0 ? 0 : 1];
  c.mod.use('rp_binary');
  const { div, mod } = pat;
  c.prog.step(c.describe(), (p) => [`rp_binary(${op}, ${p(a)}, ${p(b)}, ${p(y)}, ${n}, ${div}, ${mod});`]);
};

/** A Clip bound as a C float: attributes before opset 11, optional constant scalar inputs from 11 (the reference kernel's rule). */
function clipBound(c: LowerCtx, i: number, name: 'min' | 'max'): string {
  const unbounded = name === 'min' ? '-INFINITY' : 'INFINITY';
  let v: number | undefined;
  if (c.prep.opset < 11) v = attrFloat(c.node, name, name === 'min' ? -Infinity : Infinity);
  else if (c.has(i)) {
    const t = c.needConst(i, name);
    if (t.data.length !== 1) c.fail(`${name} has ${t.data.length} elements`, 'a scalar bound');
    v = Number(t.data[0]);
  }
  if (v === undefined || v === (name === 'min' ? -Infinity : Infinity)) return unbounded;
  if (Number.isNaN(v)) c.fail(`${name} is NaN`, 'a number or an absent bound');
  return Math.abs(Math.fround(v)) === Infinity ? (v > 0 ? 'INFINITY' : '-INFINITY') : cFloat(v);
}

/** Clip (every PyTorch ReLU6 and hardtanh exports as one). */
const clip: Lowerer = (c) => unary('rp_clip_v', (k) => `, ${clipBound(k, 1, 'min')}, ${clipBound(k, 2, 'max')}`)(c);

const batchNorm: Lowerer = (c) => {
  if (attrInt(c.node, 'training_mode', 0) !== 0 || c.node.outputs.slice(1).some((o) => o)) c.fail('training-mode BatchNormalization', 'inference (training_mode 0, one output)');
  const xd = c.dims(0);
  if (xd.length < 2 || xd[0] !== 1) c.fail(`X is [${xd.join(',')}]`, '[1, C, ...]');
  if (c.prep.opset < 9 && attrInt(c.node, 'spatial', 1) !== 1) c.fail('spatial=0', 'spatial=1 (per-channel statistics)');
  const C = xd[1];
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => c.needConst(i, ['scale', 'B', 'mean', 'var'][i - 1]).data as Float32Array);
  const eps = attrFloat(c.node, 'epsilon', 1e-5);
  const s = new Float32Array(C);
  const t = new Float32Array(C);
  for (let k = 0; k < C; k++) {
    s[k] = scale[k] / Math.sqrt(variance[k] + eps);
    t[k] = bias[k] - mean[k] * s[k];
  }
  const ss = c.mod.array(`${c.node.name}_scale`, 'float', s, 'weight', `node '${c.node.name}': scale / sqrt(var + eps)`);
  const ts = c.mod.array(`${c.node.name}_shift`, 'float', t, 'weight', `node '${c.node.name}': B - mean * scale'`);
  const x = c.x(0);
  const y = c.outInPlace(0, 0);
  const inner = sizeOf(xd.slice(2));
  c.mod.use('rp_channel_affine');
  c.prog.step(c.describe(), (p) => [`rp_channel_affine(${p(x)}, ${p(y)}, ${C}, ${inner}, ${ss}, ${ts});`]);
};

/**
 * Operand i of an op whose output is `od`: its pointer and (div, mod) index pattern, a
 * constant that fits no pattern being expanded to the output's shape at compile time.
 */
function broadcastOperand(c: LowerCtx, i: number, od: number[]): { ref: Ref; div: number; mod: number } {
  const pat = runPattern(od, c.dims(i));
  if (pat) return { ref: c.x(i), ...pat };
  const t = c.constant(i) ?? c.fail(`input ${i} [${c.dims(i).join(',')}] broadcasts over non-adjacent axes of [${od.join(',')}]`, 'a constant, or an input whose non-1 axes are adjacent');
  const map = broadcastIndex(od, t.dims);
  const src = t.data as Float32Array;
  return { ref: c.prog.constant(`${c.node.inputs[i]}_bcast`, { dtype: 'float32', dims: od, data: Float32Array.from(map, (k) => src[k]) }), div: 1, mod: sizeOf(od) };
}

/** Where: the condition must be a compile-time constant (the C code has no bool tensors); it is packed 16 per word. */
const where: Lowerer = (c) => {
  const od = c.outDims(0);
  const n = sizeOf(od);
  const cond = c.needConst(0, 'condition');
  const map = broadcastIndex(od, cond.dims);
  const bits = new Uint16Array(Math.ceil(n / 16));
  for (let i = 0; i < n; i++) if ((cond.data as Uint8Array)[map[i]]) bits[i >> 4] |= 1 << (i & 15);
  const m = c.mod.array(`${c.node.name}_cond`, 'uint16_t', bits, 'other', `node '${c.node.name}': the condition, bit i of word i/16`);
  const x = broadcastOperand(c, 1, od), y = broadcastOperand(c, 2, od);
  // In place over X only when X is full size and Y does not read that buffer.
  const full = x.div === 1 && x.mod === n && c.isRuntime(1) && y.ref.buf !== x.ref.buf;
  const out = full ? c.outInPlace(0, 1) : c.out(0);
  c.mod.use('rp_where');
  c.prog.step(c.describe(), (p) => [`rp_where(${m}, ${p(x.ref)}, ${x.div}, ${x.mod}, ${p(y.ref)}, ${y.div}, ${y.mod}, ${p(out)}, ${n});`]);
};

/** Expand: the input read with stride 0 along every broadcast axis (a view when nothing is repeated). */
const expand: Lowerer = (c) => {
  const od = c.outDims(0), xd = c.dims(0);
  const st = stridesOf(xd);
  const strides = od.map((_, i) => {
    const k = i - (od.length - xd.length);
    return k >= 0 && xd[k] !== 1 ? st[k] : 0;
  });
  stridedCopy(c, c.x(0), od, strides, 0, 'broadcast');
};

/** ReduceMean over one run of adjacent axes: [outer, len, inner] -> [outer, inner]. */
const reduceMean: Lowerer = (c) => {
  const xd = c.dims(0);
  if (c.prep.opset >= 18 && c.has(1)) c.needConst(1, 'axes');
  const ins = c.node.inputs.map((_, i) => c.constant(i));
  const axes = reduceAxes(c.node, ins, xd.length, { opset: c.prep.opset }) ?? [];
  // Size-1 axes do not matter; the rest must be adjacent.
  const real = axes.filter((a) => xd[a] !== 1);
  const lo = real.length ? real[0] : 0, hi = real.length ? real[real.length - 1] : -1;
  for (let a = lo; a <= hi; a++) if (xd[a] !== 1 && !real.includes(a)) c.fail(`axes [${axes.join(',')}] of [${xd.join(',')}] are not adjacent`, 'a run of adjacent axes (size-1 axes aside)');
  const outer = sizeOf(xd.slice(0, lo)), len = sizeOf(xd.slice(lo, hi + 1)), inner = sizeOf(xd.slice(hi + 1));
  const x = c.x(0);
  if (len === 1) { c.alias(0, x); return; }
  const y = c.out(0);
  c.mod.use('rp_reduce_mean');
  c.prog.step(c.describe(), (p) => [`rp_reduce_mean(${p(x)}, ${p(y)}, ${outer}, ${len}, ${inner});`]);
};

/** LayerNormalization over [axis, rank): Scale and B constant and the same for every normalised row. */
const layerNorm: Lowerer = (c) => {
  if (c.wanted(1) || c.wanted(2)) c.fail('the Mean / InvStdDev outputs are used', 'only Y (inference)');
  const xd = c.dims(0);
  const axis = normAxis(c.node, attrInt(c.node, 'axis', -1), xd.length);
  const outer = sizeOf(xd.slice(0, axis)), len = sizeOf(xd.slice(axis));
  const row = (i: number, what: string): string | null => {
    if (!c.has(i)) return null;
    const t = c.needConst(i, what);
    const lead = t.dims.length - (xd.length - axis);
    if (t.dims.slice(0, Math.max(0, lead)).some((d) => d !== 1)) c.fail(`${what} [${t.dims.join(',')}] varies over the axes before ${axis}`, `${what} broadcast over the normalised axes only`);
    const map = broadcastIndex(xd.slice(axis), t.dims.slice(Math.max(0, lead)));
    const src = t.data as Float32Array;
    return c.mod.array(`${c.node.name}_${what}`, 'float', Float32Array.from(map, (k) => src[k]), 'weight', `node '${c.node.name}': ${what}`);
  };
  const scale = row(1, 'Scale')!, bias = row(2, 'B');
  const x = c.x(0);
  const y = c.outInPlace(0, 0);
  c.mod.use('rp_layer_norm');
  const eps = cFloat(attrFloat(c.node, 'epsilon', 1e-5));
  c.prog.step(c.describe(), (p) => [`rp_layer_norm(${p(x)}, ${p(y)}, ${outer}, ${len}, ${scale}, ${bias ?? '(const float *)0'}, ${eps});`]);
};

export const elementwiseLowerers: Record<string, Lowerer> = {
  Relu: unary('rp_relu'),
  LeakyRelu: unary('rp_leaky_relu', (c) => `, ${cFloat(attrFloat(c.node, 'alpha', 0.01))}`),
  Sigmoid: unary('rp_sigmoid_v'),
  Tanh: unary('rp_tanh_v'),
  HardSigmoid: unary('rp_hard_sigmoid', (c) => `, ${cFloat(attrFloat(c.node, 'alpha', 0.2))}, ${cFloat(attrFloat(c.node, 'beta', 0.5))}`),
  HardSwish: unary('rp_hard_swish'),
  Erf: unary('rp_erf_v'),
  Add: binary, Sub: binary, Mul: binary, Div: binary,
  Clip: clip,
  BatchNormalization: batchNorm,
  Where: where,
  Expand: expand,
  ReduceMean: reduceMean,
  LayerNormalization: layerNorm,
};
