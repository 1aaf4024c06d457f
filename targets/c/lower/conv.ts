// Conv (grouped too) and the pools, 2-D and 1-D, at batch 1. The geometry (pads,
// strides, dilations, auto_pad, ceil_mode) comes from the reference kernels'
// windowGeometry over the node's own spatial rank, so the C code slides exactly the
// windows the interpreter does; it is emitted as a static const struct next to the
// weights. A 1-D node runs as the 2-D one of height 1 (input [C, 1, L], kernel [1, K]):
// the same kernels, and a row of the 2-D geometry that adds no padding and no stride.
import { sizeOf } from '../../../runtime/tensor.ts';
import { attrInt, attrInts } from '../../../runtime/ops/attrs.ts';
import { windowGeometry, type Window } from '../../../runtime/ops/window.ts';
import { convBsrName } from '../clib/bsr.ts';
import { decideLayer, emitMatrix } from '../weights.ts';
import type { LowerCtx, Lowerer } from './context.ts';

/** The input as [C, H, W] at batch 1: a 1-D input [1, C, L] is [C, 1, L]. */
function planes(c: LowerCtx, what: string): { C: number; H: number; W: number; oneD: boolean } {
  const xd = c.dims(0);
  if ((xd.length !== 4 && xd.length !== 3) || xd[0] !== 1) {
    c.fail(`${what} input is [${xd.join(',')}]`, 'a 2-D [1, C, H, W] or 1-D [1, C, L] input (the C target handles 1-D and 2-D windows at batch 1)');
  }
  return xd.length === 4 ? { C: xd[1], H: xd[2], W: xd[3], oneD: false } : { C: xd[1], H: 1, W: xd[2], oneD: true };
}

/** The 2-D window: the node's own (its attributes name oneD ? 1 : 2 axes), a height-1 row added for 1-D. */
function window2d(c: LowerCtx, H: number, W: number, kernel: number[], oneD: boolean, ceil: boolean): Window {
  if (!oneD) return windowGeometry(c.node, [H, W], kernel, ceil);
  const w = windowGeometry(c.node, [W], kernel, ceil);
  const row = (v: number[], first: number) => [first, v[0]];
  return { kernel: [1, kernel[0]], strides: row(w.strides, 1), dilations: row(w.dilations, 1), padBegin: row(w.padBegin, 0), padEnd: row(w.padEnd, 0), out: row(w.out, 1) };
}

const conv: Lowerer = (c) => {
  const { C, H, W, oneD } = planes(c, 'Conv');
  if (!c.isRuntime(0)) c.fail('X is constant and W is computed at run time', 'a constant weight W');
  const Wt = c.needConst(1, 'W');
  const G = attrInt(c.node, 'group', 1);
  const [M, Cg] = Wt.dims;
  const [KH, KW] = oneD ? [1, Wt.dims[2]] : [Wt.dims[2], Wt.dims[3]];
  if (Wt.dims.length !== (oneD ? 3 : 4) || !(G >= 1) || Cg * G !== C || M % G !== 0) {
    c.fail(`W is [${Wt.dims.join(',')}] with group=${G} for ${C} input channels`, `[M, ${C}/group, ${oneD ? 'k' : 'kh, kw'}] with M a multiple of group`);
  }
  const win = window2d(c, H, W, oneD ? [KW] : [KH, KW], oneD, false);
  const [OH, OW] = win.out;
  const K = Cg * KH * KW;
  const w = Float32Array.from(Wt.data as Float32Array);
  const Mg = M / G;
  const [plan] = decideLayer(c.mod, c.node, [{ label: 'W', rows: M, cols: K, data: w, group: Mg }], c.opts);
  const mat = emitMatrix(c.mod, `${c.node.name}:W`, `${c.node.name}_W`, plan, `node '${c.node.name}' (Conv) weight [${Wt.dims.join(',')}]`);
  const [part] = mat.parts;
  const bias = c.has(2) ? c.mod.array(`${c.node.name}_bias`, 'float', c.needConst(2, 'B').data as Float32Array, 'weight', `node '${c.node.name}' bias`) : null;
  // A grouped conv is G group-1 convs: group k reads input channels [k*Cg, (k+1)*Cg) and
  // writes output channels [k*Mg, (k+1)*Mg), which are contiguous at batch 1, as are
  // its weight rows; a CSR row-pointer array offset by k*Mg (a block-pointer array by
  // k block rows: blocks never straddle a group) still indexes the shared values.
  c.mod.use('rp_conv2d');
  const geoms = Array.from({ length: G }, (_, k) => {
    const b = bias === null ? 'NULL' : k === 0 ? bias : `${bias} + ${k * Mg}`;
    const fields = [Cg, H, W, Mg, OH, OW, KH, KW, win.strides[0], win.strides[1], win.padBegin[0], win.padBegin[1], win.dilations[0], win.dilations[1]];
    return c.mod.cached(`conv:${fields.join()}:${b}`, () => {
      const sym = c.mod.symbol(`${c.node.name}_geom${G > 1 ? k : ''}`);
      c.mod.decl(`/* cin, h, w, cout, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, bias */\nstatic const rp_conv2d ${sym} = { ${fields.join(', ')}, ${b} };`, 4 * 15);
      return sym;
    });
  });
  const x = c.x(0);
  const y = c.out(0);
  const xs = (k: number) => ({ ...x, offset: x.offset + k * Cg * H * W, size: Cg * H * W });
  const ys = (k: number) => ({ ...y, offset: y.offset + k * Mg * OH * OW, size: Mg * OH * OW });
  const at = (sym: string, k: number, per: number) => (k === 0 ? sym : `${sym} + ${k * per}`);
  const groups = G > 1 ? `, ${G} groups` : '';
  c.mod.codeExtra += 30 * (G - 1); // one more call per group (program.ts step() counts the first)
  if (part.dense) {
    c.mod.use('rp_conv2d_dense');
    c.prog.step(c.describe(`dense weight [${M},${K}]${groups}`), (p) =>
      geoms.map((g, k) => `rp_conv2d_dense(&${g}, ${at(part.dense!, k, Mg * K)}, ${p(xs(k))}, ${p(ys(k))});`));
  } else if (part.csr) {
    const s = part.csr;
    const fn = `rp_conv2d_csr_${s.ci}_${s.rp}`;
    c.mod.use(fn);
    c.prog.step(c.describe(`CSR weight ${mat.nnz}/${M * K}${groups}`), (p) =>
      geoms.map((g, k) => `${fn}(&${g}, ${at(s.rowptr, k, Mg)}, ${s.col}, ${s.val}, ${p(xs(k))}, ${p(ys(k))});`));
  } else {
    const s = part.bsr!;
    const fn = convBsrName(s.ci, s.bp);
    c.mod.use(fn);
    c.prog.step(c.describe(`${mat.summary} weight (${mat.nnz}/${M * K} nonzeros)${groups}`), (p) =>
      geoms.map((g, k) => `${fn}(&${g}, ${s.br}, ${at(s.ptr, k, s.bps)}, ${s.col}, ${s.val}, ${p(xs(k))}, ${p(ys(k))});`));
  }
};

function pool(kind: 'max' | 'avg'): Lowerer {
  return (c) => {
    const { C, H, W, oneD } = planes(c, c.node.op);
    if (kind === 'max' && c.wanted(1)) c.fail('the Indices output of MaxPool is used', 'MaxPool with its Y output only');
    const kernel = attrInts(c.node, 'kernel_shape') ?? c.fail('kernel_shape is missing', oneD ? 'kernel_shape [k]' : 'kernel_shape [kh, kw]');
    const win = window2d(c, H, W, kernel, oneD, true);
    const [OH, OW] = win.out;
    const include = kind === 'avg' ? attrInt(c.node, 'count_include_pad', 0) : 0;
    const fields = [C, H, W, OH, OW, win.kernel[0], win.kernel[1], win.strides[0], win.strides[1], win.padBegin[0], win.padBegin[1],
      win.padEnd[0], win.padEnd[1], win.dilations[0], win.dilations[1], include];
    c.mod.use('rp_pool2d', `rp_${kind}pool2d`);
    const g = c.mod.cached(`pool:${fields.join()}`, () => {
      const sym = c.mod.symbol(`${c.node.name}_geom`);
      c.mod.decl(`/* c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, eh, ew, dh, dw, count_include_pad */\nstatic const rp_pool2d ${sym} = { ${fields.join(', ')} };`, 4 * fields.length);
      return sym;
    });
    const x = c.x(0);
    const y = c.out(0);
    c.prog.step(c.describe(), (p) => [`rp_${kind}pool2d(&${g}, ${p(x)}, ${p(y)});`]);
  };
}

const globalAvg: Lowerer = (c) => {
  const xd = c.dims(0);
  if (xd.length < 3 || xd[0] !== 1) c.fail(`X is [${xd.join(',')}]`, '[1, C, spatial...]');
  const x = c.x(0);
  const y = c.out(0);
  c.mod.use('rp_global_avgpool');
  c.prog.step(c.describe(), (p) => [`rp_global_avgpool(${p(x)}, ${p(y)}, ${xd[1]}, ${sizeOf(xd.slice(2))});`]);
};

export const convLowerers: Record<string, Lowerer> = {
  Conv: conv, MaxPool: pool('max'), AveragePool: pool('avg'), GlobalAveragePool: globalAvg,
};
