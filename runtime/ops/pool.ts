// MaxPool (with the optional Indices output), AveragePool and GlobalAveragePool
// over any number of spatial axes. Padding cells never win a max; whether they
// count in an average's divisor is count_include_pad.
import type { Node, Tensor } from '../ir.ts';
import { allocData, shapeString, sizeOf } from '../tensor.ts';
import { attrInt, attrInts, fail } from './attrs.ts';
import type { KernelTable } from './types.ts';
import { forEachIndex, need, needFloat, nums } from './shared.ts';
import { kernelOffsets, windowGeometry, type Window } from './window.ts';

interface Tap {
  /** Row-major offset inside one channel plane, or -1 when the tap is outside the input. */
  idx: number;
  /** True when the tap lies inside the padded extent (input or explicit padding). */
  inPadded: boolean;
  pos: number[];
}

/** Visits every output cell of every (n, c) plane with the taps its window covers. */
function slide(node: Node, X: Tensor, win: Window, visit: (plane: number, o: number, taps: Tap[]) => void): void {
  const [N, C, ...S] = X.dims;
  const offs = kernelOffsets(win.kernel);
  for (let plane = 0; plane < N * C; plane++) {
    forEachIndex(win.out, (oc, o) => {
      const taps: Tap[] = offs.map((kc) => {
        const pos = kc.map((k, d) => oc[d] * win.strides[d] - win.padBegin[d] + k * win.dilations[d]);
        let idx = 0;
        let inside = true;
        let inPadded = true;
        pos.forEach((p, d) => {
          if (p < 0 || p >= S[d]) inside = false;
          if (p < -win.padBegin[d] || p >= S[d] + win.padEnd[d]) inPadded = false;
          idx = idx * S[d] + p;
        });
        return { idx: inside ? idx : -1, inPadded, pos };
      });
      visit(plane, o, taps);
    });
  }
}

function pooled(node: Node, inputs: (Tensor | undefined)[]): { X: Tensor; win: Window; outDims: number[] } {
  const X = need(node, inputs, 0, 'X');
  if (X.dims.length < 3) fail(node, `X is ${shapeString(X.dims)}`, 'X of rank >= 3: [N, C, spatial...]');
  const kernel = attrInts(node, 'kernel_shape');
  if (!kernel) fail(node, 'attribute kernel_shape is missing', 'kernel_shape, one size per spatial axis');
  const win = windowGeometry(node, X.dims.slice(2), kernel, true);
  return { X, win, outDims: [X.dims[0], X.dims[1], ...win.out] };
}

export const poolKernels: KernelTable = {
  MaxPool: (inputs, node) => {
    const { X, win, outDims } = pooled(node, inputs);
    const x = nums(node, X, 'X');
    const S = X.dims.slice(2);
    const sSize = sizeOf(S);
    const oSize = sizeOf(win.out);
    const y = allocData(X.dtype, sizeOf(outDims)) as Float64Array;
    const indices = new Float64Array(y.length);
    // storage_order 1 numbers the spatial cells column-major (the first axis fastest).
    const colMajor = attrInt(node, 'storage_order', 0) === 1;
    slide(node, X, win, (plane, o, taps) => {
      let best = -Infinity;
      let at = -1;
      for (const t of taps) {
        if (t.idx >= 0 && (at < 0 || x[plane * sSize + t.idx] > best)) {
          best = x[plane * sSize + t.idx];
          at = colMajor ? t.pos.reduceRight((acc, p, d) => acc * S[d] + p, 0) : t.idx;
        }
      }
      y[plane * oSize + o] = best;
      indices[plane * oSize + o] = plane * sSize + at;
    });
    return [
      { dtype: X.dtype, dims: outDims, data: y },
      node.outputs[1] ? { dtype: 'int64', dims: outDims.slice(), data: indices } : undefined,
    ];
  },
  AveragePool: (inputs, node) => {
    const { X, win, outDims } = pooled(node, inputs);
    const x = needFloat(node, X, 'X');
    const sSize = sizeOf(X.dims.slice(2));
    const oSize = sizeOf(win.out);
    const includePad = attrInt(node, 'count_include_pad', 0) !== 0;
    const y = allocData(X.dtype, sizeOf(outDims)) as Float64Array;
    slide(node, X, win, (plane, o, taps) => {
      let sum = 0;
      let count = 0;
      for (const t of taps) {
        if (t.idx >= 0) sum += x[plane * sSize + t.idx];
        // Cells past the padded extent (reached only through ceil_mode) never count.
        if (t.idx >= 0 || (includePad && t.inPadded)) count++;
      }
      y[plane * oSize + o] = sum / count;
    });
    return [{ dtype: X.dtype, dims: outDims, data: y }];
  },
  GlobalAveragePool: (inputs, node) => {
    const X = need(node, inputs, 0, 'X');
    const x = needFloat(node, X, 'X');
    if (X.dims.length < 3) fail(node, `X is ${shapeString(X.dims)}`, 'X of rank >= 3: [N, C, spatial...]');
    const planes = X.dims[0] * X.dims[1];
    const sSize = sizeOf(X.dims.slice(2));
    const y = allocData(X.dtype, planes) as Float64Array;
    for (let p = 0; p < planes; p++) {
      let sum = 0;
      for (let i = 0; i < sSize; i++) sum += x[p * sSize + i];
      y[p] = sum / sSize;
    }
    return [{ dtype: X.dtype, dims: [X.dims[0], X.dims[1], ...X.dims.slice(2).map(() => 1)], data: y }];
  },
};
