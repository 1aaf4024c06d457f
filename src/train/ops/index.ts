// The lowering table: ONNX op → tfjs lowering. One entry per op, grouped by family.
import { activationLowerings } from './activations.ts';
import { convLowerings } from './conv.ts';
import { denseLowerings } from './dense.ts';
import { edgeLowerings } from './edge.ts';
import { padLowerings } from './pad.ts';
import { recurrentLowerings } from './recurrent.ts';
import { resizeLowerings } from './resize.ts';
import { shapeLowerings } from './shape.ts';
import type { Lowering } from './types.ts';

export const lowerings: Record<string, Lowering> = {
  ...denseLowerings,
  ...activationLowerings,
  ...shapeLowerings,
  ...convLowerings,
  ...padLowerings,
  ...recurrentLowerings,
  ...edgeLowerings,
  ...resizeLowerings,
};

/**
 * tfjs kernels an op's forward and backward passes need beyond the element-wise and
 * slicing ones every backend has. backend.ts checks them per backend, so a backend
 * that lacks a gradient kernel (wasm: Conv2DBackpropFilter) is never picked to train.
 */
export const KERNELS: Record<string, { forward: string[]; backward: string[] }> = {
  Gemm: { forward: ['BatchMatMul', 'Transpose'], backward: [] },
  MatMul: { forward: ['BatchMatMul', 'Transpose'], backward: [] },
  // Conv's filter gradient is im2col matrix products (conv2d.ts), not Conv2DBackpropFilter.
  // Grouped: one Conv2D per group over channel slices, concatenated.
  Conv: { forward: ['Conv2D', 'Transpose', 'PadV2', 'Slice', 'Concat'], backward: ['Conv2DBackpropInput', 'StridedSlice', 'BatchMatMul'] },
  MaxPool: { forward: ['MaxPool', 'PadV2'], backward: ['MaxPoolGrad'] },
  AveragePool: { forward: ['AvgPool', 'PadV2'], backward: ['AvgPoolGrad'] },
  Pad: { forward: ['PadV2', 'Slice'], backward: [] },
  Clip: { forward: ['ClipByValue'], backward: [] },
  GlobalAveragePool: { forward: ['Mean'], backward: [] },
  LSTM: { forward: ['BatchMatMul', 'Sigmoid', 'Tanh', 'Slice', 'Pack'], backward: ['PadV2', 'Unpack'] },
  GRU: { forward: ['BatchMatMul', 'Sigmoid', 'Tanh', 'Slice', 'Pack'], backward: ['PadV2', 'Unpack'] },
  RNN: { forward: ['BatchMatMul', 'Tanh', 'Slice', 'Pack'], backward: ['PadV2', 'Unpack'] },
  Softmax: { forward: ['Softmax'], backward: [] },
  LogSoftmax: { forward: ['Max', 'Exp', 'Log', 'Sum'], backward: [] },
  Gather: { forward: ['Slice', 'Concat'], backward: ['PadV2'] },
  Slice: { forward: ['Slice', 'Concat'], backward: ['PadV2'] },
  Erf: { forward: ['Erf'], backward: [] },
  Where: { forward: ['Select'], backward: [] },
  ReduceMean: { forward: ['Mean'], backward: [] },
  Expand: { forward: ['Tile'], backward: ['Sum'] },
  LayerNormalization: { forward: ['Mean', 'Rsqrt'], backward: [] },
  Resize: { forward: ['BatchMatMul', 'Transpose'], backward: [] },
};
