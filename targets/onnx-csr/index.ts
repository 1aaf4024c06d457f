// Target onnx-csr: pruned weights stored as CSR or block CSR in ai.rampart function
// calls (transform.ts; the format is runtime/csr-format.ts). Rampart's runtime runs them
// natively; onnxruntime and any tool that inlines model-local functions runs the
// standard-op bodies.
import { encodeModel } from '../../src/onnx/export.ts';
import type { TargetDescriptor } from '../types.ts';
import { parseBlockSpec } from './blocks.ts';
import { toCsrModel } from './transform.ts';

export const onnxCsrTarget: TargetDescriptor = {
  name: 'onnx-csr',
  description: 'CSR or block-CSR weights (float32 values, uint16/int32 column indices, int32 row pointers) in ai.rampart function ops',
  extension: '.onnx',
  loadableBy: ['rampart runtime (native CSR kernels)', 'onnxruntime >= 1.14 (function bodies, standard ops)'],
  // Below 2/3 a CSR weight (6 bytes per nonzero + row pointers) is smaller than dense (4 bytes per entry).
  defaultMaxDensity: 2 / 3,
  accepts: ['block'],
  compile(model, opts) {
    const block = parseBlockSpec(opts.block ?? 'auto');
    const { model: out, layers } = toCsrModel(model, opts.maxDensity ?? this.defaultMaxDensity, opts.file, block);
    return { bytes: encodeModel(out), layers };
  },
};
