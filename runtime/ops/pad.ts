// Pad. PyTorch (1.13, every opset) exports nn.AvgPool2d as Pad + AveragePool, and
// nn.ZeroPad2d as Pad, so CNN exports need it even when the pads are all zero.
//   opset 2-10: pads, mode, value are attributes.
//   opset >= 11: pads (int64 [2·rank]) and constant_value (scalar) are inputs;
//   opset 18 adds the optional axes input, opset 19 the 'wrap' mode.
// Negative pads crop; the index mapping below handles both signs alike.
import type { Node, Tensor } from '../ir.ts';
import { allocData, shapeString, sizeOf, stridesOf } from '../tensor.ts';
import { attrFloat, attrInts, attrString, fail } from './attrs.ts';
import type { KernelContext, KernelTable } from './types.ts';
import { type Elements, intList, need, normAxis } from './shared.ts';

const MODES = ['constant', 'reflect', 'edge', 'wrap'];

/**
 * Begin and end pads per axis: the `pads` attribute before opset 11, input 1 from 11,
 * and opset 18's optional `axes` input (input 3). `ints(i, what)` reads input i as
 * host integers (undefined when absent), so the tfjs lowering (src/train) and the C
 * target (targets/c) read pads exactly as this kernel does.
 */
export function padsPerAxis(node: Node, opset: number, rank: number, ints: (i: number, what: string) => number[] | undefined): { begin: number[]; end: number[] } {
  const raw = opset < 11
    ? attrInts(node, 'pads') ?? fail(node, 'attribute pads is missing', 'pads (opset < 11)')
    : ints(1, 'pads') ?? fail(node, 'input 1 (pads) is missing', 'the pads input (opset >= 11)');
  const given = opset >= 18 ? ints(3, 'axes') : undefined;
  const axes = given ? given.map((a) => normAxis(node, a, rank, 'axes entry')) : [...Array(rank).keys()];
  if (raw.length !== 2 * axes.length) {
    fail(node, `pads has ${raw.length} values for ${axes.length} padded axes`, `${2 * axes.length} pads (begins, then ends)`);
  }
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => {
    begin[a] = raw[i];
    end[a] = raw[i + axes.length];
  });
  return { begin, end };
}

function padsOf(node: Node, inputs: (Tensor | undefined)[], x: Tensor, ctx: KernelContext): { begin: number[]; end: number[] } {
  return padsPerAxis(node, ctx.opset, x.dims.length, (i, what) => (inputs[i] === undefined ? undefined : intList(node, inputs[i]!, what)));
}

/** Where output coordinate `i` (already shifted by the begin pad) reads along an axis of size n; -1 for the constant. */
function source(mode: string, i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return i < 0 ? 0 : n - 1;
  if (mode === 'wrap') return ((i % n) + n) % n;
  // reflect: mirror about the first and last element without repeating them (period 2n-2).
  if (n === 1) return 0;
  const p = 2 * n - 2;
  const m = ((i % p) + p) % p;
  return m < n ? m : p - m;
}

/**
 * Fills `out` (shape `dims`) from x. Where each output coordinate reads is decided
 * per axis once (a table of source indices, -1 for the constant), and per row of
 * the last axis, not per element: a large pad costs a table lookup per element.
 */
function padInto(out: Elements, x: Tensor, dims: number[], begin: number[], mode: string, value: number): void {
  const rank = dims.length;
  const src = x.data as Elements;
  // Nothing to fill; and an empty output may still have one huge axis ([0, 2^31]), too long to tabulate.
  if (out.length === 0) return;
  if (rank === 0) { out[0] = src[0]; return; }
  const inStrides = stridesOf(x.dims);
  const maps = dims.map((n, d) => {
    const m = new Int32Array(n);
    for (let i = 0; i < n; i++) m[i] = source(mode, i - begin[d], x.dims[d]);
    return m;
  });
  const last = maps[rank - 1];
  const width = dims[rank - 1];
  const rows = width === 0 ? 0 : sizeOf(dims) / width;
  const coord = new Array<number>(rank - 1).fill(0);
  for (let r = 0, k = 0; r < rows; r++, k += width) {
    let base = 0;
    for (let d = 0; d < rank - 1 && base >= 0; d++) {
      const s = maps[d][coord[d]];
      base = s < 0 ? -1 : base + s * inStrides[d];
    }
    if (base < 0) for (let j = 0; j < width; j++) out[k + j] = value;
    else for (let j = 0; j < width; j++) { const s = last[j]; out[k + j] = s < 0 ? value : src[base + s]; }
    for (let d = rank - 2; d >= 0; d--) {
      if (++coord[d] < dims[d]) break;
      coord[d] = 0;
    }
  }
}

export const padKernels: KernelTable = {
  Pad: (inputs, node, ctx) => {
    const x = need(node, inputs, 0, 'data');
    const mode = attrString(node, 'mode', 'constant');
    if (!MODES.includes(mode) || (mode === 'wrap' && ctx.opset < 19)) fail(node, `mode '${mode}'`, 'constant, reflect or edge (wrap from opset 19)');
    const { begin, end } = padsOf(node, inputs, x, ctx);
    const dims = x.dims.map((d, i) => d + begin[i] + end[i]);
    if (dims.some((d) => d < 0)) fail(node, `pads [${begin}] / [${end}] crop ${shapeString(x.dims)} below size 0`, 'pads no more negative than the axis is long');
    const cv = ctx.opset < 11 ? undefined : inputs[2];
    const value = cv ? Number((cv.data as Elements)[0] ?? 0) : attrFloat(node, 'value', 0);
    if (mode !== 'constant' && x.dims.some((d, i) => d === 0 && dims[i] > 0)) {
      fail(node, `mode '${mode}' on an empty axis of ${shapeString(x.dims)}`, 'a non-empty axis to copy from');
    }
    const out = allocData(x.dtype, sizeOf(dims)) as Elements;
    padInto(out, x, dims, begin, mode, value);
    return [{ dtype: x.dtype, dims, data: out as typeof x.data }];
  },
};
