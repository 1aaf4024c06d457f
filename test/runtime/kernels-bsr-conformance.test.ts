// ONNX node conformance (the allow-list of test/conformance/manifest.ts) for the ops
// with weights, on the js and wasm backends with every weight forced to BSR 4x1 and
// 16x1: the block kernels face every case the dense and CSR kernels do (peepholes,
// GRU's split row ranges, grouped and strided Conv, Gemm's transposes).
import { backendFromLinalg } from '../../runtime/kernels/index.ts';
import { JsLinalg } from '../../runtime/kernels/js-linalg.ts';
import { WasmLinalg } from '../../runtime/kernels/wasm-linalg.ts';
import { runConformance } from '../conformance/harness.ts';

const SPARSE_OPS = { ops: ['Gemm', 'MatMul', 'Conv', 'LSTM', 'GRU', 'RNN'] };
for (const br of [4, 16]) {
  const js = backendFromLinalg(new JsLinalg());
  js.env!.format = { bsr: br };
  runConformance(js.table, `js, weights forced to BSR ${br}x1`, SPARSE_OPS);
  const wasm = backendFromLinalg(await WasmLinalg.create());
  wasm.env!.format = { bsr: br };
  runConformance(wasm.table, `wasm, weights forced to BSR ${br}x1`, SPARSE_OPS);
}
