// Elementwise ops: activations, Add/Sub/Mul/Div with one operand broadcast, and a
// BatchNormalization that could not be folded into a Conv (a per-channel affine).
// Each writes over its input when nothing reads that input later (in place), which
// halves the SRAM of a conv -> relu chain.
import { sizeOf } from '../../../runtime/tensor.ts';
import { attrFloat, attrInt } from '../../../runtime/ops/attrs.ts';
import { broadcastIndex } from '../../../runtime/ops/shared.ts';
import { cFloat } from '../module.ts';
import type { Ref } from '../program.ts';
import type { LowerCtx, Lowerer } from './context.ts';

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

export const elementwiseLowerers: Record<string, Lowerer> = {
  Relu: unary('rp_relu'),
  LeakyRelu: unary('rp_leaky_relu', (c) => `, ${cFloat(attrFloat(c.node, 'alpha', 0.01))}`),
  Sigmoid: unary('rp_sigmoid_v'),
  Tanh: unary('rp_tanh_v'),
  HardSigmoid: unary('rp_hard_sigmoid', (c) => `, ${cFloat(attrFloat(c.node, 'alpha', 0.2))}, ${cFloat(attrFloat(c.node, 'beta', 0.5))}`),
  Add: binary, Sub: binary, Mul: binary, Div: binary,
  BatchNormalization: batchNorm,
};
