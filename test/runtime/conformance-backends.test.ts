// ONNX node conformance on the js and wasm backends: the same allow-list the
// reference kernels pass (test/conformance/manifest.ts), run through the sparse
// overlays — once choosing dense/CSR by density as a session does, and once with
// every prunable weight forced to CSR so the sparse kernels face every case too.
import { jsKernelTable, wasmKernelTable, backendFromLinalg } from '../../runtime/kernels/index.ts';
import { JsLinalg } from '../../runtime/kernels/js-linalg.ts';
import { WasmLinalg } from '../../runtime/kernels/wasm-linalg.ts';
import { runConformance } from '../conformance/harness.ts';

runConformance(jsKernelTable(), 'js');
runConformance(await wasmKernelTable(), 'wasm');

const SPARSE_OPS = { ops: ['Gemm', 'MatMul', 'Conv', 'LSTM', 'GRU', 'RNN'] };
const jsCsr = backendFromLinalg(new JsLinalg());
jsCsr.env!.format = 'csr';
runConformance(jsCsr.table, 'js, weights forced to CSR', SPARSE_OPS);
const wasmCsr = backendFromLinalg(await WasmLinalg.create());
wasmCsr.env!.format = 'csr';
runConformance(wasmCsr.table, 'wasm, weights forced to CSR', SPARSE_OPS);
