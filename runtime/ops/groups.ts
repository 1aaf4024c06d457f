// The closed op vocabulary, in named groups, so passes ask "is it prunable" or
// "is it recurrent" instead of listing op names.

export const RECURRENT_OPS = ['LSTM', 'GRU', 'RNN'] as const;

/** Ops whose weight input is a prunable matrix, and where that weight sits. */
export const PRUNABLE_OPS = ['Gemm', 'MatMul', 'Conv', ...RECURRENT_OPS] as const;

export const ELEMENTWISE_BINARY_OPS = ['Add', 'Sub', 'Mul', 'Div'] as const;

export const UNARY_OPS = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Erf', 'Clip', 'Identity', 'Dropout', 'Cast',
] as const;

/** Select and scatter: Where, and the ops onnx-csr's weight-rebuild bodies use. */
export const INDEXING_OPS = ['Where', 'ScatterElements', 'Scatter', 'ScatterND', 'CumSum'] as const;

export const SHAPE_OPS = [
  'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Concat', 'Slice', 'Gather', 'Shape',
  'ConstantOfShape', 'Constant', 'Pad', 'Expand',
] as const;

export const POOL_OPS = ['MaxPool', 'AveragePool', 'GlobalAveragePool'] as const;

export const RESAMPLE_OPS = ['Resize'] as const;

export const NORM_OPS = ['BatchNormalization', 'LayerNormalization', 'Softmax', 'LogSoftmax'] as const;

export const REDUCE_OPS = ['ReduceMean'] as const;

/** Every ai.onnx op the compiler and runtime support. */
export const SUPPORTED_OPS: readonly string[] = [
  ...PRUNABLE_OPS, ...ELEMENTWISE_BINARY_OPS, ...UNARY_OPS, ...INDEXING_OPS, ...SHAPE_OPS, ...POOL_OPS,
  ...RESAMPLE_OPS, ...NORM_OPS, ...REDUCE_OPS,
];

export function isRecurrent(op: string): boolean {
  return (RECURRENT_OPS as readonly string[]).includes(op);
}

export function isPrunable(op: string): boolean {
  return (PRUNABLE_OPS as readonly string[]).includes(op);
}

export function isSupported(op: string): boolean {
  return SUPPORTED_OPS.includes(op);
}
