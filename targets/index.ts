// The compile targets, by name (`rampart compile --target <name>`).
import { cTarget } from './c/index.ts';
import { onnxCsrTarget } from './onnx-csr/index.ts';
import { onnxSparseTarget } from './onnx-sparse/index.ts';
import { wasmTarget } from './wasm/index.ts';
import type { TargetDescriptor } from './types.ts';

export const TARGETS: Record<string, TargetDescriptor> = {
  [onnxCsrTarget.name]: onnxCsrTarget,
  [onnxSparseTarget.name]: onnxSparseTarget,
  [cTarget.name]: cTarget,
  [wasmTarget.name]: wasmTarget,
};

export type { TargetDescriptor, CompileOptions, CompileResult, LayerReport } from './types.ts';
