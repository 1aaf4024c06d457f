// Fast paths for dense ops that sit between the sparse layers of the zoo models:
// 2-D MaxPool (backend kernel), Relu on float32 and a Transpose that only moves size-1
// axes. The reference kernels (runtime/ops/) are
// written for clarity over any rank — a MaxPool there costs more than the conv before
// it — so the js and wasm tables overlay these and fall back to the reference for
// everything else (other ranks, the Indices output, other types).
import { attrInts } from '../ops/attrs.ts';
import type { Kernel, KernelTable } from '../ops/types.ts';
import { windowGeometry } from '../ops/window.ts';
import type { KernelEnv } from './env.ts';

function maxPool2d(env: KernelEnv): Kernel {
  const base = env.base, la = env.linalg;
  return (inputs, node, ctx) => {
    const X = inputs[0];
    const kernel = attrInts(node, 'kernel_shape');
    if (!X || X.dtype !== 'float32' || X.dims.length !== 4 || !kernel || (node.outputs.length > 1 && node.outputs[1])) {
      return base.MaxPool(inputs, node, ctx);
    }
    const [N, C, H, W] = X.dims;
    const win = windowGeometry(node, [H, W], kernel, true);
    const [oh, ow] = win.out;
    const y = new Float32Array(N * C * oh * ow);
    env.scope(() => {
      const [xs, ys] = la.scratch([X.data.length, y.length]);
      xs.set(X.data as Float32Array);
      la.maxPool2d(xs, N * C, H, W, win.kernel, win.strides, win.padBegin, win.dilations, oh, ow, ys);
      y.set(ys);
    });
    return [{ dtype: 'float32', dims: [N, C, oh, ow], data: y }];
  };
}

function relu(base: KernelTable): Kernel {
  return (inputs, node, ctx) => {
    const X = inputs[0];
    if (!X || X.dtype !== 'float32') return base.Relu(inputs, node, ctx);
    const x = X.data as Float32Array, y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v < 0 ? 0 : v; }
    return [{ dtype: 'float32', dims: X.dims.slice(), data: y }];
  };
}

/**
 * A Transpose that moves only size-1 axes (batch 1: [1, T, I] -> [T, 1, I] in front of
 * an LSTM) leaves the data in order: a copy, where the reference walks every index
 * through a closure (~6 us for the zoo LSTM's 784 floats, a tenth of its run).
 */
function transpose(base: KernelTable): Kernel {
  return (inputs, node, ctx) => {
    const X = inputs[0];
    const perm = attrInts(node, 'perm');
    if (!X || !perm || !movesOnlyUnitAxes(X.dims, perm)) return base.Transpose(inputs, node, ctx);
    return [{ dtype: X.dtype, dims: perm.map((p) => X.dims[p]), data: X.data.slice() as typeof X.data }];
  };
}

/** perm is a permutation of the axes under which the axes longer than 1 keep their order. */
function movesOnlyUnitAxes(dims: readonly number[], perm: readonly number[]): boolean {
  const r = dims.length;
  // (A bit per axis; beyond 30 axes the reference decides.)
  if (perm.length !== r || r > 30) return false;
  let seen = 0, last = -1;
  for (const p of perm) {
    if (!Number.isInteger(p) || p < 0 || p >= r || seen & (1 << p)) return false;
    seen |= 1 << p;
    if (dims[p] === 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

export function denseOverlay(env: KernelEnv): KernelTable {
  return { MaxPool: maxPool2d(env), Relu: relu(env.base), Transpose: transpose(env.base) };
}
