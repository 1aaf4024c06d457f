// Gemm and MatMul with a constant weight: y[i, :] = W x[i, :] + bias, one mat-vec per
// row of x (one row at batch 1, unless x keeps a time axis). The weight is stored as
// [N = outputs, K = inputs] whatever the ONNX layout (MatMul B is [K, N]; Gemm B is
// either); alpha is folded into the weight and beta into the bias at compile time.
import type { Tensor } from '../../../runtime/ir.ts';
import { sizeOf } from '../../../runtime/tensor.ts';
import { attrFloat, attrInt } from '../../../runtime/ops/attrs.ts';
import { broadcastIndex } from '../../../runtime/ops/shared.ts';
import { decideLayer, emitMatrix, mvFunction } from '../weights.ts';
import type { LowerCtx, Lowerer } from './context.ts';

/** Row-major [rows, cols] of a [cols, rows] tensor, scaled. */
function transposed(t: Tensor, rows: number, cols: number, scale: number): Float32Array {
  const src = t.data as Float32Array;
  const m = new Float32Array(rows * cols);
  for (let k = 0; k < cols; k++) for (let n = 0; n < rows; n++) m[n * cols + k] = src[k * rows + n] * scale;
  return m;
}

function emitLinear(c: LowerCtx, M: number, K: number, N: number, w: Float32Array, bias: { data: Float32Array; perRow: boolean } | null): void {
  const [plan] = decideLayer(c.mod, c.node, [{ label: 'W', rows: N, cols: K, data: w }], c.opts);
  const mat = emitMatrix(c.mod, `${c.node.name}:W`, `${c.node.name}_W`, plan, `node '${c.node.name}' (${c.node.op}) weight`);
  const mv = mvFunction(c.mod, mat, `${c.node.name}_W`);
  const b = bias ? c.mod.array(`${c.node.name}_bias`, 'float', bias.data, 'weight', `node '${c.node.name}' bias`) : 'NULL';
  const x = c.x(0);
  const y = c.out(0);
  c.mod.use('rp_linear');
  c.prog.step(c.describe(`${mat.summary} [${N},${K}]`), (p) => [`rp_linear(${mv}, ${M}, ${K}, ${N}, ${p(x)}, ${p(y)}, ${b}, ${bias?.perRow ? 1 : 0});`]);
}

const gemm: Lowerer = (c) => {
  if (!c.isRuntime(0)) c.fail('A is a constant and B is computed at run time', 'a constant weight B (input 1)');
  const ad = c.dims(0);
  const transA = attrInt(c.node, 'transA', 0) !== 0;
  const [M, K] = transA ? [ad[1], ad[0]] : ad;
  if (transA && M !== 1 && K !== 1) c.fail(`transA with A [${ad.join(',')}]`, 'transA only on a single row or column');
  const B = c.needConst(1, 'B');
  const alpha = attrFloat(c.node, 'alpha', 1);
  const beta = attrFloat(c.node, 'beta', 1);
  const transB = attrInt(c.node, 'transB', 0) !== 0;
  const N = transB ? B.dims[0] : B.dims[1];
  const w = transB ? Float32Array.from(B.data as Float32Array, (v) => v * alpha) : transposed(B, N, K, alpha);
  let bias: { data: Float32Array; perRow: boolean } | null = null;
  if (c.has(2)) {
    const C = c.needConst(2, 'C');
    const cd = C.dims;
    const src = C.data as Float32Array;
    if (sizeOf(cd) === 1) bias = { data: new Float32Array(N).fill(src[0] * beta), perRow: false };
    else if (sizeOf(cd) === N && cd[cd.length - 1] === N) bias = { data: Float32Array.from(src, (v) => v * beta), perRow: false };
    else {
      if (cd.length > 2) c.fail(`C is [${cd.join(',')}]`, `C broadcastable to [${M},${N}]`);
      bias = { data: Float32Array.from(broadcastIndex([M, N], cd), (k) => src[k] * beta), perRow: true };
    }
  }
  emitLinear(c, M, K, N, w, bias);
};

const matmul: Lowerer = (c) => {
  if (!c.isRuntime(0)) c.fail('A is a constant and B is computed at run time', 'a constant weight B (input 1)');
  const ad = c.dims(0);
  const B = c.needConst(1, 'B');
  if (B.dims.length > 2) c.fail(`B is [${B.dims.join(',')}]`, 'a 2-D (or 1-D) constant weight');
  const K = ad[ad.length - 1];
  const N = B.dims.length === 2 ? B.dims[1] : 1;
  const M = sizeOf(ad) / K;
  emitLinear(c, M, K, N, transposed(B, N, K, 1), null);
};

export const linearLowerers: Record<string, Lowerer> = { Gemm: gemm, MatMul: matmul };
