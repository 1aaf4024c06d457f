// Sliding-window geometry shared by Conv, MaxPool and AveragePool: strides,
// dilations, explicit pads or auto_pad, ceil_mode -> output size and begin padding.
import type { Node } from '../ir.ts';
import { attrInt, attrInts, attrString, fail } from './attrs.ts';

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Padding before each spatial axis, and after it. */
  padBegin: number[];
  padEnd: number[];
  out: number[];
}

function perAxis(node: Node, name: string, k: number, dflt: number): number[] {
  const v = attrInts(node, name) ?? new Array<number>(k).fill(dflt);
  if (v.length !== k) fail(node, `attribute ${name} has ${v.length} values`, `${k} values, one per spatial axis`);
  if (v.some((x) => !Number.isInteger(x) || x < 1)) fail(node, `attribute ${name} is [${v.join(',')}]`, 'positive integers');
  return v;
}

/**
 * Geometry of a window of `kernel` sliding over `spatial`. `ceilModeAllowed` is
 * false for Conv (which has no ceil_mode attribute).
 */
export function windowGeometry(node: Node, spatial: number[], kernel: number[], ceilModeAllowed: boolean): Window {
  const k = spatial.length;
  if (kernel.length !== k) fail(node, `kernel has ${kernel.length} spatial axes, input has ${k}`, 'matching spatial ranks');
  if (kernel.some((x) => !Number.isInteger(x) || x < 1)) fail(node, `kernel shape [${kernel.join(',')}]`, 'positive kernel sizes');
  const strides = perAxis(node, 'strides', k, 1);
  const dilations = perAxis(node, 'dilations', k, 1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const ceil = ceilModeAllowed && attrInt(node, 'ceil_mode', 0) !== 0;
  const padBegin = new Array<number>(k).fill(0);
  const padEnd = new Array<number>(k).fill(0);
  const out = new Array<number>(k);
  for (let d = 0; d < k; d++) {
    const extent = (kernel[d] - 1) * dilations[d] + 1; // the dilated kernel's span
    if (autoPad === 'NOTSET') {
      const pads = attrInts(node, 'pads') ?? new Array<number>(2 * k).fill(0);
      if (pads.length !== 2 * k || pads.some((p) => !Number.isInteger(p) || p < 0)) {
        fail(node, `attribute pads is [${pads.join(',')}]`, `${2 * k} non-negative integers (all begins, then all ends)`);
      }
      padBegin[d] = pads[d];
      padEnd[d] = pads[d + k];
      const span = spatial[d] + padBegin[d] + padEnd[d] - extent;
      out[d] = (ceil ? Math.ceil(span / strides[d]) : Math.floor(span / strides[d])) + 1;
      // With ceil_mode the last window must still start inside the input or the
      // begin padding (PyTorch's and onnxruntime's rule); otherwise it would be empty.
      if (ceil && (out[d] - 1) * strides[d] >= spatial[d] + padBegin[d]) out[d]--;
    } else if (autoPad === 'VALID') {
      out[d] = Math.floor((spatial[d] - extent) / strides[d]) + 1;
    } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      out[d] = Math.ceil(spatial[d] / strides[d]);
      const total = Math.max(0, (out[d] - 1) * strides[d] + extent - spatial[d]);
      // SAME_UPPER puts the odd extra cell at the end, SAME_LOWER at the beginning.
      padBegin[d] = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      padEnd[d] = total - padBegin[d];
    } else {
      fail(node, `auto_pad is '${autoPad}'`, 'NOTSET, VALID, SAME_UPPER or SAME_LOWER');
    }
    if (out[d] < 1) {
      fail(node, `window of span ${extent} does not fit spatial axis ${d} of size ${spatial[d]} (padded ${padBegin[d]}+${padEnd[d]})`,
        'a kernel no larger than the padded input');
    }
  }
  return { kernel, strides, dilations, padBegin, padEnd, out };
}

/** Every kernel offset as a coordinate list, row-major. */
export function kernelOffsets(kernel: number[]): number[][] {
  const offs: number[][] = [];
  const c = new Array<number>(kernel.length).fill(0);
  const n = kernel.reduce((p, x) => p * x, 1);
  for (let i = 0; i < n; i++) {
    offs.push(c.slice());
    for (let d = kernel.length - 1; d >= 0; d--) {
      if (++c[d] < kernel[d]) break;
      c[d] = 0;
    }
  }
  return offs;
}
